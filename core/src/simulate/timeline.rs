//! The timeline of a simulated run, built from the agents' event logs: per role when it
//! started, what it waited for, from whom and for how long, and when it ended; printed
//! as a table and drawn as an SVG picture.

use std::fmt::Write as _;

use crate::agent::events::{Event, EventKind};

/// One wait of a role.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitSpan {
    /// The awaited key (`db.db_host`, `web.address` for a gather).
    pub key: String,
    /// Who produces it (`db/mysql`).
    pub from: String,
    /// Start, in milliseconds since the run began.
    pub start_ms: u64,
    /// End, in milliseconds since the run began.
    pub end_ms: u64,
    /// The error when the wait ended without a value.
    pub error: Option<String>,
}

/// How a role ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// It finished.
    Done,
    /// It failed with this error.
    Failed(String),
    /// It finished in an earlier run and was not run again.
    Skipped,
    /// The log ends while it runs (the agent was killed).
    Unfinished,
}

/// One role's line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleSpan {
    /// The server (`web.0`).
    pub server: String,
    /// The role.
    pub role: String,
    /// Start, in milliseconds since the run began.
    pub start_ms: u64,
    /// End, in milliseconds since the run began (the last event seen when unfinished).
    pub end_ms: u64,
    /// Its waits, in order.
    pub waits: Vec<WaitSpan>,
    /// How it ended.
    pub ending: Ending,
}

/// The whole run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Every role, ordered by start time (then server, then role).
    pub roles: Vec<RoleSpan>,
    /// The run's length in milliseconds (the last event).
    pub total_ms: u64,
}

impl Timeline {
    /// Builds the timeline from every agent's events (any order). Time zero is the
    /// earliest event.
    pub fn from_events(events: &[Event]) -> Timeline {
        let Some(zero) = events.iter().map(|e| e.at_ms).min() else {
            return Timeline::default();
        };
        let mut events: Vec<&Event> = events.iter().collect();
        events.sort_by_key(|e| e.at_ms);
        let mut roles: Vec<RoleSpan> = Vec::new();
        let rel = |ms: u64| ms.saturating_sub(zero);
        let mut total_ms = 0;
        for e in events {
            total_ms = total_ms.max(rel(e.at_ms));
            let Some(role) = &e.role else { continue };
            let find = |roles: &mut Vec<RoleSpan>| {
                roles.iter().rposition(|r| r.server == e.server && &r.role == role)
            };
            match e.kind {
                EventKind::RoleStarted | EventKind::RoleSkipped => roles.push(RoleSpan {
                    server: e.server.clone(),
                    role: role.clone(),
                    start_ms: rel(e.at_ms),
                    end_ms: rel(e.at_ms),
                    waits: Vec::new(),
                    ending: if e.kind == EventKind::RoleSkipped {
                        Ending::Skipped
                    } else {
                        Ending::Unfinished
                    },
                }),
                EventKind::WaitDone | EventKind::WaitFailed => {
                    if let Some(i) = find(&mut roles) {
                        let end = rel(e.at_ms);
                        roles[i].waits.push(WaitSpan {
                            key: e.key.clone().unwrap_or_default(),
                            from: e.from.clone().unwrap_or_default(),
                            start_ms: end.saturating_sub(e.took_ms.unwrap_or(0)),
                            end_ms: end,
                            error: (e.kind == EventKind::WaitFailed)
                                .then(|| e.message.clone().unwrap_or_default()),
                        });
                        roles[i].end_ms = end;
                    }
                }
                EventKind::RoleDone | EventKind::RoleFailed => {
                    if let Some(i) = find(&mut roles) {
                        roles[i].end_ms = rel(e.at_ms);
                        roles[i].ending = if e.kind == EventKind::RoleDone {
                            Ending::Done
                        } else {
                            Ending::Failed(e.message.clone().unwrap_or_default())
                        };
                    }
                }
                _ => {
                    if let Some(i) = find(&mut roles) {
                        if roles[i].ending == Ending::Unfinished {
                            roles[i].end_ms = rel(e.at_ms);
                        }
                    }
                }
            }
        }
        roles.sort_by(|a, b| {
            (a.start_ms, &a.server, &a.role).cmp(&(b.start_ms, &b.server, &b.role))
        });
        Timeline { roles, total_ms }
    }

    /// The timeline as a text table: one line per role, one more per extra wait.
    pub fn table(&self) -> String {
        let mut rows = vec![[
            "server/role".to_string(),
            "started".into(),
            "waited for".into(),
            "from".into(),
            "waited".into(),
            "finished".into(),
            "result".into(),
        ]];
        for r in &self.roles {
            let result = match &r.ending {
                Ending::Done => "done".to_string(),
                Ending::Failed(_) => "FAILED".into(),
                Ending::Skipped => "done before".into(),
                Ending::Unfinished => "unfinished".into(),
            };
            let first = r.waits.first();
            rows.push([
                format!("{}/{}", r.server, r.role),
                secs(r.start_ms),
                first.map(|w| w.key.clone()).unwrap_or_else(|| "-".into()),
                first.map(|w| w.from.clone()).unwrap_or_default(),
                first.map(|w| secs(w.end_ms - w.start_ms)).unwrap_or_default(),
                secs(r.end_ms),
                result,
            ]);
            for w in r.waits.iter().skip(1) {
                rows.push([
                    String::new(),
                    String::new(),
                    w.key.clone(),
                    w.from.clone(),
                    secs(w.end_ms - w.start_ms),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        let widths: Vec<usize> =
            (0..7).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for row in &rows {
            let cells: Vec<String> =
                row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        out
    }

    /// The timeline as an SVG picture: one row per role, time left to right; waiting in
    /// amber, running in green (red when the role failed), each wait labelled with what
    /// it waited for and from whom.
    pub fn svg(&self, title: &str) -> String {
        const LEFT: f64 = 170.0;
        const WIDTH: f64 = 760.0;
        const ROW: f64 = 34.0;
        const TOP: f64 = 54.0;
        let total = self.total_ms.max(1) as f64;
        let x = |ms: u64| LEFT + WIDTH * (ms as f64) / total;
        let height = TOP + ROW * self.roles.len() as f64 + 40.0;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-family="sans-serif" font-size="12">"#,
            w = LEFT + WIDTH + 30.0
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="10" y="20" font-size="15" font-weight="bold">{}</text>"#,
            escape(title)
        );
        // Axis: about eight ticks at round seconds.
        let step = tick_step(self.total_ms);
        let axis_y = TOP - 12.0;
        let mut t = 0;
        while t <= self.total_ms {
            let _ = writeln!(
                s,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#ddd"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle" fill="#555">{4}</text>"##,
                x(t),
                axis_y,
                height - 30.0,
                axis_y - 4.0,
                secs(t)
            );
            t += step;
        }
        for (i, r) in self.roles.iter().enumerate() {
            let y = TOP + ROW * i as f64;
            let _ = writeln!(
                s,
                r#"<text x="10" y="{:.1}">{}</text>"#,
                y + 17.0,
                escape(&format!("{}/{}", r.server, r.role))
            );
            let color = match r.ending {
                Ending::Done => "#4caf50",
                Ending::Failed(_) => "#e53935",
                Ending::Skipped => "#9e9e9e",
                Ending::Unfinished => "#90a4ae",
            };
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="22" fill="{color}" rx="3"><title>{}</title></rect>"#,
                x(r.start_ms),
                y + 4.0,
                (x(r.end_ms) - x(r.start_ms)).max(2.0),
                escape(&match &r.ending {
                    Ending::Failed(e) => format!("failed: {e}"),
                    _ => format!("{} to {}", secs(r.start_ms), secs(r.end_ms)),
                })
            );
            for w in &r.waits {
                let label = format!("{} from {} ({})", w.key, w.from, secs(w.end_ms - w.start_ms));
                let width = (x(w.end_ms) - x(w.start_ms)).max(1.0);
                let _ = writeln!(
                    s,
                    r##"<rect x="{:.1}" y="{:.1}" width="{width:.1}" height="22" fill="#ffb300" rx="3"><title>{}</title></rect>"##,
                    x(w.start_ms),
                    y + 4.0,
                    escape(&label),
                );
                // Name what it waits for inside the bar when the name fits (about 6 px a
                // character at this size); short waits keep it in their tooltip.
                if width >= 6.0 * w.key.chars().count() as f64 + 6.0 {
                    let _ = writeln!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#333">{}</text>"##,
                        x(w.start_ms) + 3.0,
                        y + 19.0,
                        escape(&w.key)
                    );
                }
            }
        }
        let legend_y = height - 12.0;
        let _ = writeln!(
            s,
            r##"<rect x="{LEFT}" y="{:.1}" width="12" height="10" fill="#ffb300"/><text x="{:.1}" y="{legend_y:.1}">waiting for a value</text><rect x="{:.1}" y="{:.1}" width="12" height="10" fill="#4caf50"/><text x="{:.1}" y="{legend_y:.1}">running</text><rect x="{:.1}" y="{:.1}" width="12" height="10" fill="#e53935"/><text x="{:.1}" y="{legend_y:.1}">failed</text>"##,
            legend_y - 9.0,
            LEFT + 16.0,
            LEFT + 160.0,
            legend_y - 9.0,
            LEFT + 176.0,
            LEFT + 250.0,
            legend_y - 9.0,
            LEFT + 266.0,
        );
        s.push_str("</svg>\n");
        s
    }
}

/// A tick step in milliseconds giving at most about eight ticks.
fn tick_step(total_ms: u64) -> u64 {
    const STEPS: [u64; 12] =
        [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000];
    STEPS.into_iter().find(|s| total_ms / s <= 8).unwrap_or(600_000)
}

fn secs(ms: u64) -> String {
    crate::agent::events::secs(ms)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: u64, server: &str, role: &str, kind: EventKind) -> Event {
        let mut e = Event::now(server, kind);
        e.at_ms = at;
        e.role = Some(role.into());
        e
    }

    #[test]
    fn waits_and_endings_are_placed_relative_to_the_first_event() {
        let mut wait = ev(1_700, "web.0", "app", EventKind::WaitDone);
        wait.key = Some("db.db_host".into());
        wait.from = Some("db/mysql".into());
        wait.took_ms = Some(500);
        let mut failed = ev(2_500, "lb", "haproxy", EventKind::RoleFailed);
        failed.message = Some("exit status: 1".into());
        let events = vec![
            wait,
            ev(1_000, "db", "mysql", EventKind::RoleStarted),
            ev(1_150, "web.0", "app", EventKind::RoleStarted),
            ev(1_600, "db", "mysql", EventKind::RoleDone),
            ev(2_000, "web.0", "app", EventKind::RoleDone),
            ev(2_100, "lb", "haproxy", EventKind::RoleStarted),
            failed,
        ];
        let t = Timeline::from_events(&events);
        assert_eq!(t.total_ms, 1_500);
        assert_eq!(t.roles.len(), 3);
        let app = &t.roles[1];
        assert_eq!((app.server.as_str(), app.start_ms, app.end_ms), ("web.0", 150, 1_000));
        assert_eq!(app.waits[0].start_ms, 200);
        assert_eq!(app.waits[0].end_ms, 700);
        assert_eq!(t.roles[2].ending, Ending::Failed("exit status: 1".into()));
        let table = t.table();
        assert!(table.lines().nth(2).unwrap().contains("db.db_host  db/mysql  0.5 s"), "{table}");
        let svg = t.svg("three-tier");
        assert!(
            svg.starts_with("<svg") && svg.contains("db.db_host from db/mysql (0.5 s)"),
            "{svg}"
        );
        assert!(svg.contains(">db.db_host</text>"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1 + 3 + 1 + 3);
    }
}

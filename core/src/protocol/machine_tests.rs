//! The protocol machine against an in-memory store and simulated time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::json;

use super::machine::*;
use super::record::{Failure, Record};

/// An in-memory store with one-shot watches, carrying out machine commands.
#[derive(Default)]
struct Sim {
    nodes: HashMap<String, Node>,
    watched: Vec<String>,
    ops: u64,
}

impl Sim {
    fn write(&mut self, path: &str, record: &Record) {
        let version = self.nodes.get(path).map_or(1, |n| n.version + 1);
        self.nodes.insert(path.into(), Node { version, data: record.encode() });
    }

    /// Fires the watches on `path` (one-shot: they are gone afterwards).
    fn fire(&mut self, m: &mut Machine, path: &str) {
        if let Some(i) = self.watched.iter().position(|p| p == path) {
            self.watched.remove(i);
            m.handle_changed(path);
        }
    }

    /// Runs every pending command to completion.
    fn run(&mut self, m: &mut Machine) {
        while let Some(c) = m.poll_command() {
            self.ops += 1;
            match c {
                Command::Read { path } => {
                    self.watched.push(path.clone());
                    let node = self.nodes.get(&path).cloned();
                    m.handle_read(&path, Ok(node));
                }
                Command::List { path } => {
                    self.watched.push(path.clone());
                    let prefix = format!("{path}/");
                    let mut children: Vec<String> = self
                        .nodes
                        .keys()
                        .filter_map(|k| {
                            k.strip_prefix(&prefix)
                                .map(|r| r.split('/').next().unwrap().to_string())
                        })
                        .collect();
                    children.dedup();
                    m.handle_list(&path, Ok(children));
                }
                Command::Create { op, path, data } => {
                    if self.nodes.contains_key(&path) {
                        m.handle_created(op, Ok(Created::Exists));
                    } else {
                        self.nodes.insert(path.clone(), Node { version: 1, data });
                        m.handle_created(op, Ok(Created::New));
                        self.fire(m, &path);
                    }
                }
                Command::Fetch { op, path } => {
                    let node = self.nodes.get(&path).cloned();
                    m.handle_fetched(op, Ok(node));
                }
                Command::Update { op, path, data, expected } => match self.nodes.get(&path) {
                    Some(n) if n.version == expected => {
                        self.nodes.insert(path.clone(), Node { version: expected + 1, data });
                        m.handle_updated(op, Ok(Updated::Done(expected + 1)));
                        self.fire(m, &path);
                    }
                    _ => m.handle_updated(op, Ok(Updated::Conflict)),
                },
            }
        }
    }
}

fn one(path: &str) -> Target {
    Target { nodes: Nodes::Fixed(vec![path.into()]), after: vec![] }
}

fn events(m: &mut Machine) -> Vec<Event> {
    std::iter::from_fn(|| m.poll_event()).collect()
}

#[test]
fn a_wait_ends_when_the_value_is_published_in_three_operations() {
    let (mut m, mut sim, t0) = (Machine::new(), Sim::default(), Instant::now());
    m.wait(1, one("/v/db/h"), t0, Duration::from_secs(5));
    sim.run(&mut m);
    assert!(events(&mut m).is_empty());
    m.publish(7, "/v/db/h".into(), Record::Value(json!("x")), false);
    sim.run(&mut m);
    let ev = events(&mut m);
    assert!(ev.contains(&Event::Published {
        id: 7,
        result: Ok(Publication { version: 1, changed: true })
    }));
    let found = Found { path: "/v/db/h".into(), version: 1, value: json!("x") };
    assert!(
        ev.contains(&Event::WaitDone { id: 1, outcome: WaitOutcome::Ready(vec![found]) }),
        "{ev:?}"
    );
    assert_eq!(sim.ops, 3, "read (miss), create, read (hit)");
}

#[test]
fn republishing_is_idempotent_and_a_new_content_is_a_new_version() {
    let (mut m, mut sim) = (Machine::new(), Sim::default());
    for (id, value, expect) in [(1, "a", (1, true)), (2, "a", (1, false)), (3, "b", (2, true))] {
        m.publish(id, "/v/x".into(), Record::Value(json!(value)), false);
        sim.run(&mut m);
        let pubd = Publication { version: expect.0, changed: expect.1 };
        assert_eq!(events(&mut m), [Event::Published { id, result: Ok(pubd) }]);
    }
    // A failure marker never replaces a published value.
    let failure = Record::Failed(Failure { role: None, error: "e".into() });
    m.publish(4, "/v/x".into(), failure, true);
    sim.run(&mut m);
    assert_eq!(
        events(&mut m),
        [Event::Published { id: 4, result: Ok(Publication { version: 2, changed: false }) }]
    );
}

#[test]
fn failures_end_waits_and_deadlines_expire_in_simulated_time() {
    let (mut m, mut sim, t0) = (Machine::new(), Sim::default(), Instant::now());
    m.wait(
        1,
        Target { nodes: Nodes::Fixed(vec!["/v/a".into(), "/v/b".into()]), after: vec![] },
        t0,
        Duration::from_secs(60),
    );
    m.wait(2, one("/v/c"), t0, Duration::from_secs(1));
    sim.run(&mut m);
    assert_eq!(m.poll_timeout(), Some(t0 + Duration::from_secs(1)));
    m.handle_timeout(t0 + Duration::from_millis(999));
    assert!(events(&mut m).is_empty());
    m.handle_timeout(t0 + Duration::from_secs(1));
    assert_eq!(
        events(&mut m),
        [Event::WaitDone {
            id: 2,
            outcome: WaitOutcome::TimedOut { missing: vec!["/v/c".into()] }
        }]
    );
    let failure = Failure { role: Some("mysql".into()), error: "boom".into() };
    m.publish(9, "/v/b".into(), Record::Failed(failure.clone()), true);
    sim.run(&mut m);
    let ev = events(&mut m);
    assert!(
        ev.contains(&Event::WaitDone {
            id: 1,
            outcome: WaitOutcome::Failed { path: "/v/b".into(), failure }
        }),
        "{ev:?}"
    );
}

#[test]
fn session_loss_re_reads_what_waits_need() {
    let (mut m, mut sim, t0) = (Machine::new(), Sim::default(), Instant::now());
    m.wait(1, one("/v/a"), t0, Duration::from_secs(60));
    sim.run(&mut m);
    // The session dies: its watches with it; the value is published meanwhile.
    sim.watched.clear();
    sim.write("/v/a", &Record::Value(json!(1)));
    sim.run(&mut m);
    assert!(events(&mut m).is_empty());
    m.handle_session_lost();
    sim.run(&mut m);
    assert!(matches!(
        &events(&mut m)[..],
        [Event::WaitDone { id: 1, outcome: WaitOutcome::Ready(_) }]
    ));
}

#[test]
fn member_gathers_follow_the_group_directory() {
    let (mut m, mut sim, t0) = (Machine::new(), Sim::default(), Instant::now());
    let target = Target {
        nodes: Nodes::Members { dir: "/v/web".into(), leaf: "url".into() },
        after: vec![],
    };
    m.wait(1, target, t0, Duration::from_secs(60));
    sim.run(&mut m);
    // Ready once every current member has published (at least one).
    for i in [10, 2] {
        sim.write(&format!("/v/web/{i}/url"), &Record::Value(json!(i)));
    }
    sim.fire(&mut m, "/v/web");
    sim.run(&mut m);
    let ev = events(&mut m);
    let [Event::WaitDone { outcome: WaitOutcome::Ready(found), .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    let order: Vec<_> = found.iter().map(|f| f.value.clone()).collect();
    assert_eq!(order, [json!(2), json!(10)], "numeric member order");
}

#[derive(Debug, Clone)]
enum Step {
    Wait(usize),
    Publish(usize, u8),
    Fail(usize),
    LoseWatches,
    SessionLost,
    Deliver,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize).prop_map(Step::Wait),
        (0..3usize, 0..3u8).prop_map(|(k, v)| Step::Publish(k, v)),
        (0..3usize).prop_map(Step::Fail),
        Just(Step::LoseWatches),
        Just(Step::SessionLost),
        Just(Step::Deliver),
    ]
}

proptest! {
    /// Any interleaving of publishes, failures, waits, lost watches and session losses
    /// ends with every waiter holding the published value or the failure, once the
    /// session is re-established; and no version ever holds two contents.
    #[test]
    fn every_waiter_ends_with_the_published_value_or_a_clear_error(steps in prop::collection::vec(step(), 1..40)) {
        let (mut m, mut sim, t0) = (Machine::new(), Sim::default(), Instant::now());
        let paths = ["/v/a", "/v/b", "/v/c"];
        let mut versions: HashMap<(String, u64), Vec<u8>> = HashMap::new();
        let mut open = Vec::new();
        let mut done = HashMap::new();
        let mut lost = false;
        for (i, s) in steps.iter().enumerate() {
            match s {
                Step::Wait(k) => { m.wait(i as u64, one(paths[*k]), t0, Duration::from_secs(3600)); open.push((i as u64, *k)); }
                Step::Publish(k, v) => m.publish(1000 + i as u64, paths[*k].into(), Record::Value(json!(v)), false),
                Step::Fail(k) => m.publish(1000 + i as u64, paths[*k].into(), Record::Failed(Failure { role: None, error: "x".into() }), true),
                Step::LoseWatches => { sim.watched.clear(); lost = true; }
                Step::SessionLost => { m.handle_session_lost(); lost = false; }
                Step::Deliver => {}
            }
            if !lost || matches!(s, Step::Deliver) {
                sim.run(&mut m);
            }
            for (p, n) in &sim.nodes {
                let prev = versions.entry((p.clone(), n.version)).or_insert_with(|| n.data.clone());
                prop_assert_eq!(&*prev, &n.data, "one version, one content");
            }
            for e in std::iter::from_fn(|| m.poll_event()) {
                if let Event::WaitDone { id, outcome } = e { done.insert(id, outcome); }
            }
        }
        m.handle_session_lost();
        sim.run(&mut m);
        for e in std::iter::from_fn(|| m.poll_event()) {
            if let Event::WaitDone { id, outcome } = e { done.insert(id, outcome); }
        }
        for (id, k) in open {
            let published = sim.nodes.contains_key(paths[k]);
            match done.get(&id) {
                Some(WaitOutcome::Ready(f)) => prop_assert_eq!(&f[0].path, paths[k]),
                Some(WaitOutcome::Failed { path, .. }) => prop_assert_eq!(path, paths[k]),
                Some(other) => prop_assert!(false, "unexpected {:?}", other),
                None => prop_assert!(!published, "wait {} on a published {} still open", id, paths[k]),
            }
        }
    }
}

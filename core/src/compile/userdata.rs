//! The user-data of a coordinated server: a multipart MIME message whose heat-sync part
//! is a `#cloud-config` that writes the server plan (mode 0600) and the agent's systemd
//! unit, installs the tool and the agent, and starts the agent as a service, so that it
//! comes back after a reboot (cloud-init runs `runcmd` once per instance); the server's
//! own user-data is kept as another part.
//! `AWS::EC2::Instance`, whose user data Heat hands to heat-cfntools (which runs it only
//! when it is a script), gets the same steps as a shell script instead.

use std::borrow::Cow;

use serde_json::json;

use super::plans::INSTANCE;
use super::Options;
use crate::dataflow::source::call;
use crate::plan::Tool;
use crate::Value;

/// Where the user-data writes the server plan.
pub const PLAN_PATH: &str = "/etc/heat-sync/server-plan.json";
/// Where the user-data writes the agent's systemd unit.
pub const UNIT_PATH: &str = "/etc/systemd/system/heat-sync-agent.service";

/// The agent's systemd unit (docs/agent.md, "Boot and reboot").
///
/// - Enabled, so the agent starts again at every boot and resumes from its state
///   directory (finished roles are not run again).
/// - `Restart=on-failure` restarts it after a crash, a kill or exit status 2 (plan or
///   coordinator unreachable); exit status 1 (a role failed, which the agent has already
///   reported to Heat) is final: `RestartPreventExitStatus=1`, so a failing role is not
///   run over and over. 130 and 143 are its clean exits on SIGINT and SIGTERM.
/// - The start limit stops a plan that can never load from restarting forever.
/// - `env` finds `heat-sync` wherever the install command put it (`gem install` puts it
///   in /usr/local/bin).
/// - No ordering after cloud-init: the user-data starts it from inside cloud-final, and
///   waiting for cloud-final there would wait for itself.
pub fn unit() -> String {
    format!(
        "[Unit]\nDescription=heat-sync agent: runs this server's roles\n\
         Wants=network-online.target\nAfter=network-online.target\n\
         ConditionPathExists={PLAN_PATH}\nStartLimitIntervalSec=600\nStartLimitBurst=10\n\n\
         [Service]\nType=simple\n\
         ExecStart=/usr/bin/env heat-sync agent --server-plan {PLAN_PATH}\n\
         Restart=on-failure\nRestartSec=10\nRestartPreventExitStatus=1\n\
         SuccessExitStatus=130 143\nKillMode=mixed\n\n\
         [Install]\nWantedBy=multi-user.target\n"
    )
}
const BOUNDARY: &str = "==heat-sync-boundary==";

/// The commands the user-data runs, in order.
fn commands(opts: &Options, tool: Tool, asg: bool) -> Vec<String> {
    let mut cmds = Vec::new();
    if asg {
        cmds.push(format!(
            "sed -i \"s/{INSTANCE}/$(cat /var/lib/cloud/data/instance-id)/g\" {PLAN_PATH}"
        ));
    }
    if tool == Tool::Chef {
        cmds.push(opts.chef_install.clone());
    }
    cmds.push(opts.agent_install.clone());
    // The service where systemd runs the machine (--no-block: the start must not wait
    // inside cloud-final); a one-off background run elsewhere (no restart after reboot).
    cmds.push(format!(
        "if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable --now --no-block heat-sync-agent.service; \
         else nohup heat-sync agent --server-plan {PLAN_PATH} >/var/log/heat-sync-agent.log 2>&1 & fi"
    ));
    cmds
}

/// The `#cloud-config` document (without Heat substitution).
pub fn cloud_config(plan_text: &str, opts: &Options, tool: Tool, asg: bool) -> String {
    let doc = json!({
        "merge_how": [
            {"name": "list", "settings": ["append"]},
            {"name": "dict", "settings": ["no_replace", "recurse_list"]},
        ],
        "write_files": [
            {
                "path": PLAN_PATH,
                "permissions": "0600",
                "owner": "root:root",
                "content": plan_text,
            },
            {
                "path": UNIT_PATH,
                "permissions": "0644",
                "owner": "root:root",
                "content": unit(),
            },
        ],
        "runcmd": commands(opts, tool, asg),
    });
    format!("#cloud-config\n{}", super::yaml::to_string(&doc))
}

/// Appends one MIME part whose body is the concatenation of `body`. For an existing
/// user-data part the content type is `text/plain`: cloud-init detects the type from
/// its first line (`#!`, `#cloud-config`).
fn part(msg: &mut String, content_type: &str, filename: &str, body: &[&str]) {
    for s in [
        "--",
        BOUNDARY,
        "\nContent-Type: ",
        content_type,
        "; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Disposition: attachment; filename=\"",
        filename,
        "\"\n\n",
    ] {
        msg.push_str(s);
    }
    body.iter().for_each(|b| msg.push_str(b));
    let last = body.iter().rev().find(|b| !b.is_empty());
    if !last.is_some_and(|b| b.ends_with('\n')) {
        msg.push('\n');
    }
}

/// The existing user-data as it goes into the message: a literal string, or a token
/// that Heat replaces with the value of the author's expression.
pub enum Existing<'a> {
    /// No user data.
    None,
    /// Literal text.
    Text(&'a str),
    /// A token standing for a Heat expression.
    Token(&'a str),
}

/// The `#cloud-config` of every server with one tool and group kind, written once: only
/// the plan differs from server to server, so [`CloudConfigs::parts`] gives the text
/// around it (compiling 1,000 servers writes the YAML once, not 1,000 times).
pub struct CloudConfigs<'a> {
    opts: &'a Options,
    /// (tool, AutoScalingGroup member) to the text before and after the plan.
    made: Vec<((Tool, bool), String, String)>,
}

impl<'a> CloudConfigs<'a> {
    /// No cloud-config written yet.
    pub fn new(opts: &'a Options) -> Self {
        CloudConfigs { opts, made: Vec::new() }
    }

    /// The compile options the cloud-configs are written with.
    pub fn options(&self) -> &'a Options {
        self.opts
    }

    /// The cloud-config for `plan_text` as parts to concatenate: [`cloud_config`]'s text
    /// exactly. The plan is spliced into a cloud-config written once, when it is one line
    /// that a YAML literal block holds as it is (always, for a JSON plan, unless a value
    /// holds a character YAML must escape); otherwise the whole text is written anew.
    pub fn parts<'s>(&'s mut self, plan_text: &'s str, tool: Tool, asg: bool) -> [Cow<'s, str>; 3] {
        const PLAN: &str = "@@heat_sync_plan@@\n";
        let one_line = plan_text.find('\n') == Some(plan_text.len() - 1);
        if !one_line || !super::yaml::fits_literal_block(plan_text) {
            let text = cloud_config(plan_text, self.opts, tool, asg);
            return [Cow::Owned(text), Cow::Borrowed(""), Cow::Borrowed("")];
        }
        let i = match self.made.iter().position(|(k, _, _)| *k == (tool, asg)) {
            Some(i) => i,
            None => {
                let text = cloud_config(PLAN, self.opts, tool, asg);
                let at = text.find(PLAN).expect("the plan sits in the cloud-config");
                let (before, after) = (text[..at].to_string(), text[at + PLAN.len()..].to_string());
                self.made.push(((tool, asg), before, after));
                self.made.len() - 1
            }
        };
        let (_, before, after) = &self.made[i];
        // The literal block's line ends with the newline the plan text ends with.
        [Cow::Borrowed(before), Cow::Borrowed(plan_text), Cow::Borrowed(after)]
    }
}

/// The whole multipart user-data text, written into one string; `cloud_config` is the
/// heat-sync part in pieces (see [`CloudConfigs::parts`]).
pub fn multipart(cloud_config: &[Cow<'_, str>], existing: Existing<'_>) -> String {
    let extra = match existing {
        Existing::None => 0,
        Existing::Text(t) | Existing::Token(t) => t.len(),
    };
    let size: usize = cloud_config.iter().map(|p| p.len()).sum();
    let mut msg = String::with_capacity(size + extra + 512);
    msg.push_str("Content-Type: multipart/mixed; boundary=\"");
    msg.push_str(BOUNDARY);
    msg.push_str("\"\nMIME-Version: 1.0\n\n");
    match existing {
        Existing::None => {}
        // An existing MIME message goes in whole: cloud-init walks nested multiparts.
        Existing::Text(t) if t.starts_with("Content-Type:") || t.starts_with("MIME-Version:") => {
            msg.push_str("--");
            msg.push_str(BOUNDARY);
            msg.push('\n');
            msg.push_str(t);
            if !t.ends_with('\n') {
                msg.push('\n');
            }
        }
        Existing::Text(t) | Existing::Token(t) => part(&mut msg, "text/plain", "user-data", &[t]),
    }
    // heat-sync's part last, so its merge_how appends to the author's cloud-config.
    let body: Vec<&str> = cloud_config.iter().map(|p| p.as_ref()).collect();
    part(&mut msg, "text/cloud-config", "heat-sync.cfg", &body);
    msg.push_str("--");
    msg.push_str(BOUNDARY);
    msg.push_str("--\n");
    msg
}

/// The shell-script user-data for `AWS::EC2::Instance`: the same steps; an existing
/// script is written out and run first.
pub fn script(plan_text: &str, opts: &Options, tool: Tool, existing: Existing<'_>) -> String {
    let mut s = String::from("#!/bin/sh\n# heat-sync: write the server plan and the agent's unit, install, start the agent.\nset -e\numask 077\nmkdir -p /etc/heat-sync\n");
    s.push_str(&format!(
        "cat > {PLAN_PATH} <<'HEAT_SYNC_PLAN_EOF'\n{plan_text}HEAT_SYNC_PLAN_EOF\n"
    ));
    s.push_str(&format!(
        "if [ -d /etc/systemd/system ]; then\numask 022\ncat > {UNIT_PATH} <<'HEAT_SYNC_UNIT_EOF'\n{}HEAT_SYNC_UNIT_EOF\numask 077\nfi\n",
        unit()
    ));
    let user = match existing {
        Existing::None => None,
        Existing::Text(t) => Some(t),
        Existing::Token(t) => Some(t),
    };
    if let Some(u) = user {
        s.push_str(&format!("cat > /etc/heat-sync/user-data <<'HEAT_SYNC_USER_DATA_EOF'\n{u}\nHEAT_SYNC_USER_DATA_EOF\n"));
        s.push_str("chmod 0700 /etc/heat-sync/user-data\nif head -c 2 /etc/heat-sync/user-data | grep -q '#!'; then /etc/heat-sync/user-data; fi\n");
    }
    for c in commands(opts, tool, false) {
        s.push_str(&c);
        s.push('\n');
    }
    s
}

/// Wraps text with placeholder tokens into the dialect's substitution function (the
/// text and parameters moved in, not copied: the text is the whole user-data).
pub fn substitute(hot: bool, text: String, params: crate::Map) -> Value {
    if params.is_empty() {
        return Value::String(text);
    }
    if hot {
        let mut args = crate::Map::new();
        args.insert("template".into(), Value::String(text));
        args.insert("params".into(), Value::Object(params));
        call("str_replace", Value::Object(args))
    } else {
        call("Fn::Replace", Value::Array(vec![Value::Object(params), Value::String(text)]))
    }
}

//! The generated Heat template and its cloud-init user-data.
//!
//! [`compile`] turns a template with `heat_sync` metadata into a standard Heat template
//! of the same version:
//! - each coordinated server gets user-data ([`userdata`]) that writes its server plan
//!   ([`plans`]) and starts the agent, keeping the author's user-data;
//! - the parameters `heat_sync_coordinator` and `heat_sync_secret` (hidden) are added;
//! - a wait condition per coordinated resource ([`signal`]) makes CREATE_COMPLETE mean
//!   "every role finished", and references to role outputs outside heat_sync read its data;
//! - the heat_sync sections are removed, other metadata kept.
//!
//! Coordinated servers never reference each other in the result (only their handles,
//! parameters and non-coordinated resources), so Heat boots them in parallel.
//! [`simulate_plans`] gives concrete server plans for a local run.

pub mod plans;
pub mod signal;
pub mod simulate;
pub mod userdata;
pub mod yaml;

pub use simulate::{simulate_plans, SimulateOptions};

use serde_json::json;

use crate::dataflow::analysis::{analyse, Analysis};
use crate::dataflow::metadata::{Coordinated, GroupKind};
use crate::dataflow::source::Dialect;
use crate::dataflow::{DataFlowError, Problem};
use crate::plan::{InputSource, ServerPlan, StackPlan};
use crate::stack::Inputs;
use crate::{Map, Value};

/// The coordinator parameter added to the compiled template.
pub const COORDINATOR_PARAM: &str = "heat_sync_coordinator";
/// The stack secret parameter (hidden) added to the compiled template.
pub const SECRET_PARAM: &str = "heat_sync_secret";

/// Errors producing the compiled template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// A problem at `place`.
    #[error("{place}: {message}")]
    Invalid {
        /// The template path.
        place: String,
        /// What is wrong.
        message: String,
    },
}

/// Compile options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The default of `heat_sync_coordinator` (`zk://host:port,.../chroot`); without
    /// it the parameter has no default and must be given at stack create.
    pub coordinator: Option<String>,
    /// Shell command installing chef-solo (chef roles only); run by the user-data.
    pub chef_install: String,
    /// Shell command installing the heat-sync agent (and the gem, for chef).
    pub agent_install: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            coordinator: None,
            chef_install: "command -v chef-solo >/dev/null 2>&1 || curl -fsSL https://omnitruck.chef.io/install.sh | bash -s -- -P chef -v 18".into(),
            agent_install: "command -v heat-sync >/dev/null 2>&1 || gem install --no-document heat_sync".into(),
        }
    }
}

/// The result of [`compile`].
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The compiled template.
    pub template: Value,
    /// The compiled template as text: JSON when the input was JSON, else YAML.
    pub template_text: String,
    /// The stack plan (`--plan-out`).
    pub stack_plan: StackPlan,
    /// One server plan per coordinated resource (a group's member definition once),
    /// with placeholder tokens where Heat fills values in at deploy time
    /// (see [`plans`]; [`simulate_plans`] substitutes them).
    pub server_plans: Vec<ServerPlan>,
    /// For each server plan, its Heat-resolved inputs and their tokens.
    pub heat_values: Vec<Vec<plans::HeatValue>>,
    /// The warnings of `check` (compile refuses templates with errors).
    pub warnings: Vec<Problem>,
    /// The analysis the template was compiled from.
    pub analysis: Analysis,
}

fn invalid(place: &str, message: impl Into<String>) -> crate::Error {
    CompileError::Invalid { place: place.into(), message: message.into() }.into()
}

/// Compiles a template (see the module documentation). Templates with `check` errors
/// are refused with [`DataFlowError::Problems`].
pub fn compile(inputs: &Inputs, opts: &Options) -> crate::Result<Compiled> {
    // A default coordinator the agents could not use must fail now, not at boot.
    if let Some(address) = &opts.coordinator {
        crate::store::Address::parse(address)?;
    }
    let a = analyse(inputs)?;
    if a.has_errors() {
        return Err(DataFlowError::Problems { problems: a.problems.clone() }.into());
    }
    let src = &a.source;
    let (waits, values_name) = signal::names(src, &a.servers);
    let timeout = signal::timeout(&a.servers);
    // The template without its heat_sync sections (metadata::read took them out).
    let mut t = src.template.clone();
    add_parameters(&mut t, &a, opts)?;

    // References to role outputs first, on the template the author wrote (the user-data
    // added below is large and holds none).
    let mut rewriter = signal::Rewriter::new(&a, &waits, &values_name);
    if let Some(doc) = t.as_object_mut() {
        for (k, v) in doc.iter_mut() {
            rewriter.rewrite(v, k)?;
        }
    }
    let mut server_plans = Vec::with_capacity(a.servers.len());
    let mut heat_values = Vec::with_capacity(a.servers.len());
    let mut configs = userdata::CloudConfigs::new(opts);
    let mut user_data_size = 0;
    for (si, c) in a.servers.iter().enumerate() {
        let (plan, values) = plans::server_plan(&a, si);
        let def = definition(&mut t, c)?;
        user_data_size += rewrite_server(def, &a, c, &plan, &values, &waits[si], &mut configs)?;
        server_plans.push(plan);
        heat_values.push(values);
    }
    let rkey = src.key("resources", "Resources");
    // A template without a resources section (Heat accepts one) has no servers to add to.
    if let Some(resources) = t.get_mut(rkey).and_then(Value::as_object_mut) {
        for (c, w) in a.servers.iter().zip(&waits) {
            for (name, res) in signal::resources(src, c, w, timeout) {
                resources.insert(name, res);
            }
        }
    }
    if let Some((name, res)) = rewriter.values_stack() {
        t[rkey].as_object_mut().expect("resources").insert(name, res);
    }
    let template_text = if src.is_json {
        serde_json::to_string_pretty(&t).expect("a template serializes") + "\n"
    } else {
        // Sized once: the template is mostly the user-data (indented a little in YAML).
        let mut text = String::with_capacity(inputs.template.len() * 2 + user_data_size * 5 / 4);
        yaml::write_document(&mut text, &t);
        text
    };
    let mut warnings = a.problems.clone();
    warnings.extend(rewriter.take_warnings());
    warnings.extend(size_warning(&inputs.template_name, template_text.len(), a.servers.len()));
    Ok(Compiled {
        template: t,
        template_text,
        stack_plan: plans::stack_plan(&a),
        server_plans,
        heat_values,
        warnings,
        analysis: a,
    })
}

/// A warning when the compiled template is over Heat's default `max_template_size`:
/// Heat refuses such a template at stack create unless the cloud raises the limit, so
/// the author learns it now, not from a failed deployment. Each coordinated server
/// carries its own user-data (a few kilobytes), so the size grows with their number; a
/// group's members share one definition.
fn size_warning(template_name: &str, size: usize, servers: usize) -> Option<Problem> {
    let limit = crate::template::MAX_TEMPLATE_SIZE;
    if size <= limit {
        return None;
    }
    let place = if template_name.is_empty() { "<template>" } else { template_name };
    Some(Problem::warning(
        crate::dataflow::problem::Code::TemplateTooLarge,
        place,
        format!(
            "the compiled template is {size} bytes, over Heat's default limit of {limit} \
             (max_template_size in heat.conf): Heat refuses it unless the cloud raises that \
             limit; it holds {servers} coordinated server definitions, about {} bytes each \
             with their user-data (members of a ResourceGroup or AutoScalingGroup share \
             one definition)",
            size / servers.max(1)
        ),
    ))
}

fn add_parameters(t: &mut Value, a: &Analysis, opts: &Options) -> crate::Result<()> {
    let src = &a.source;
    let pkey = src.key("parameters", "Parameters");
    let doc = t.as_object_mut().expect("a template is a mapping");
    let params = doc.entry(pkey).or_insert_with(|| Value::Object(Map::new()));
    if params.is_null() {
        *params = Value::Object(Map::new());
    }
    let params =
        params.as_object_mut().ok_or_else(|| invalid(pkey, "parameters must be a mapping"))?;
    for p in [COORDINATOR_PARAM, SECRET_PARAM] {
        if params.contains_key(p) {
            return Err(invalid(&format!("{pkey}.{p}"), format!("{p} is reserved for heat-sync")));
        }
    }
    let (coordinator, secret) = match src.dialect {
        Dialect::Hot => {
            let mut c = json!({"type": "string", "description": "heat-sync: the coordinator (zk://host:port,.../chroot)"});
            if let Some(d) = &opts.coordinator {
                c["default"] = Value::String(d.clone());
            }
            let s = json!({"type": "string", "hidden": true,
                "description": "heat-sync: the stack secret, from which each server's coordinator credential is derived"});
            (c, s)
        }
        Dialect::Cfn => {
            let mut c = json!({"Type": "String", "Description": "heat-sync: the coordinator (zk://host:port,.../chroot)"});
            if let Some(d) = &opts.coordinator {
                c["Default"] = Value::String(d.clone());
            }
            let s = json!({"Type": "String", "NoEcho": "true",
                "Description": "heat-sync: the stack secret, from which each server's coordinator credential is derived"});
            (c, s)
        }
    };
    params.insert(COORDINATOR_PARAM.into(), coordinator);
    params.insert(SECRET_PARAM.into(), secret);
    Ok(())
}

/// The member definition (or server resource) of `c` inside the template.
fn definition<'t>(t: &'t mut Value, c: &Coordinated) -> crate::Result<&'t mut Map> {
    let mut cur = t;
    for k in &c.definition_place {
        cur = cur.get_mut(k.as_str()).ok_or_else(|| invalid(&c.place, "definition vanished"))?;
    }
    cur.as_object_mut().ok_or_else(|| invalid(&c.place, "a resource definition is a mapping"))
}

fn rewrite_server(
    def: &mut Map,
    a: &Analysis,
    c: &Coordinated,
    plan: &ServerPlan,
    values: &[plans::HeatValue],
    wait: &signal::WaitNames,
    configs: &mut userdata::CloudConfigs<'_>,
) -> crate::Result<usize> {
    let opts = configs.options();
    let src = &a.source;
    let hot = src.dialect == Dialect::Hot;
    let member_def = c.group.is_some();
    let (mkey, pkey) =
        if member_def || hot { ("metadata", "properties") } else { ("Metadata", "Properties") };
    // heat_sync is out already (metadata::read took it), other metadata kept; metadata
    // that held nothing else goes too.
    if def.get(mkey).and_then(Value::as_object).is_some_and(Map::is_empty) {
        def.remove(mkey);
    }
    let props = def.entry(pkey).or_insert_with(|| Value::Object(Map::new()));
    if props.is_null() {
        *props = Value::Object(Map::new());
    }
    let props =
        props.as_object_mut().ok_or_else(|| invalid(&c.place, "properties must be a mapping"))?;
    let ec2 = c.server_type == "AWS::EC2::Instance";
    let ud_key = if ec2 { "UserData" } else { "user_data" };
    if !ec2 {
        match props.get("user_data_format").and_then(Value::as_str) {
            None | Some("RAW") => {}
            Some(other) => {
                return Err(invalid(
                    &format!("{}.{pkey}.user_data_format", c.definition_place.join(".")),
                    format!("a coordinated server needs user_data_format RAW (heat-sync writes the user-data), not {other}"),
                ))
            }
        }
        props.insert("user_data_format".into(), Value::String("RAW".into()));
    }

    // The plan text, with Heat's values as tokens. One line (and a newline, so the
    // cloud-config holds it as a literal block): the plan is repeated for every server,
    // so its size is the compiled template's size.
    let json_replace = src.json_replace();
    // A gathered group's member count comes from Heat when parameters decide it.
    let counts = plans::count_tokens(a, plan);
    let mut plan_text = plans::plan_text(plan, &counts);
    if json_replace {
        // The whole source becomes a bare token that Heat replaces with JSON.
        plan_text = bare_tokens(&plan_text);
    }
    plan_text.push('\n');
    let mut params = Map::new();
    for v in values {
        if json_replace {
            let mut source = Map::new();
            source.insert("kind".into(), Value::from("static"));
            source.insert("value".into(), v.expr.clone());
            if v.secret {
                source.insert("secret".into(), Value::Bool(true));
            }
            params.insert(v.token.clone(), Value::Object(source));
        } else {
            params.insert(v.token.clone(), v.expr.clone());
        }
    }
    for c in counts {
        params.insert(c.token, c.expr);
    }
    params.insert(plans::COORDINATOR.into(), src.get_param(COORDINATOR_PARAM));
    params.insert(
        plans::STACK_ID.into(),
        if hot {
            src.get_param("OS::stack_id")
        } else {
            json!({"Fn::Select": ["2", {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]})
        },
    );
    for (token, expr) in plans::credential_params(src, c) {
        params.insert(token.into(), expr);
    }
    params.insert(plans::SIGNAL_URL.into(), src.get_attr(&wait.handle, "endpoint"));
    params.insert(plans::SIGNAL_TOKEN.into(), src.get_attr(&wait.handle, "token"));

    // The author's user-data, kept.
    let existing = props.remove(ud_key).map(|v| match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Base64") => m["Fn::Base64"].clone(),
        other => other,
    });
    const USER_TOKEN: &str = "@@heat_sync_user_data@@";
    let existing_text = match &existing {
        Some(Value::String(s)) => userdata::Existing::Text(s),
        Some(Value::Null) | None => userdata::Existing::None,
        Some(expr) => {
            params.insert(USER_TOKEN.into(), expr.clone());
            userdata::Existing::Token(USER_TOKEN)
        }
    };
    let asg = c.group.as_ref().is_some_and(|g| g.kind == GroupKind::AutoScalingGroup);
    let text = if ec2 {
        userdata::script(&plan_text, opts, c.tool, existing_text)
    } else {
        userdata::multipart(&configs.parts(&plan_text, c.tool, asg), existing_text)
    };
    let size = text.len();
    let mut ud = userdata::substitute(hot, text, params);
    if ec2 && !hot {
        let mut base64 = Map::new();
        base64.insert("Fn::Base64".into(), ud);
        ud = Value::Object(base64);
    }
    props.insert(ud_key.into(), ud);
    Ok(size)
}

/// The plan text with each Heat-resolved source (an input's, or an expression
/// argument's: `{"kind":"static","value":"@@heat_sync_vN@@"}`, with `"secret":true`
/// when secret) replaced by its bare token, which Heat replaces with the whole source as
/// JSON. One pass over the text.
fn bare_tokens(text: &str) -> String {
    const OPEN: &str = "{\"kind\":\"static\",\"value\":\"@@heat_sync_v";
    const CLOSE: [&str; 2] = ["@@\"}", "@@\",\"secret\":true}"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &after[digits..];
        match CLOSE.iter().find(|c| tail.starts_with(*c)) {
            Some(close) if digits > 0 => {
                out.push_str("@@heat_sync_v");
                out.push_str(&after[..digits]);
                out.push_str("@@");
                rest = &tail[close.len()..];
            }
            _ => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// True when an input source holds a placeholder token rather than its value.
pub fn is_token(source: &InputSource) -> bool {
    matches!(source, InputSource::Static { value: Value::String(s), .. } if s.starts_with("@@heat_sync_"))
}

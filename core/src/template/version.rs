//! Template versions and their function tables, as Heat 27 registers them.
//!
//! The data (`core/data/versions.json`) is derived from shared/heat/functions.json by
//! `core/data/generate.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::functions::Func;

/// The two template dialects: HOT (`heat_template_version`) and CloudFormation
/// (`AWSTemplateFormatVersion` and Heat's `HeatTemplateFormatVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Heat Orchestration Template.
    Hot,
    /// CloudFormation-style.
    Cfn,
}

/// A version's function table: function name to class. The template parser looks up
/// every key of every one-key map in it, hence the fast hasher (SipHash was a tenth of
/// the parse); nothing shows its iteration order.
pub type FunctionTable = HashMap<String, Func, foldhash::fast::RandomState>;

/// One template version Heat knows, with everything that depends on it.
#[derive(Debug)]
pub struct Version {
    /// The version key: `heat_template_version`, `AWSTemplateFormatVersion` or
    /// `HeatTemplateFormatVersion`.
    pub key: String,
    /// The version value as Heat registers it (`2016-10-14`, `newton`, `2010-09-09`).
    pub value: String,
    /// The Heat template class (`heat.engine.hot.template.HOTemplate20161014`).
    pub class: String,
    /// HOT or CFN.
    pub dialect: Dialect,
    /// Function name to class, as the template parser uses it.
    pub functions: FunctionTable,
    /// Function name to class for the conditions section and `condition` fields:
    /// every function `Invalid` (HOT keeps `Removed`), the condition functions on top.
    pub condition_functions: FunctionTable,
    /// Allowed top-level sections.
    pub sections: Vec<String>,
    /// Allowed keys inside a resource definition.
    pub resource_keys: Vec<String>,
    /// Allowed keys inside an output definition.
    pub output_keys: Vec<String>,
    /// Allowed keys inside a parameter definition.
    pub param_keys: Vec<String>,
    /// Parameter types.
    pub param_types: Vec<String>,
    /// Allowed keys inside a HOT parameter constraint (`None` for CFN).
    pub constraint_keys: Option<Vec<String>>,
    /// Deletion policy spellings to the canonical policy.
    pub deletion_policies: HashMap<String, String>,
    /// Whether the version has a conditions section.
    pub has_conditions: bool,
}

#[derive(Deserialize)]
struct RawVersion {
    key: String,
    value: String,
    class: String,
    functions: HashMap<String, String>,
    condition_functions: HashMap<String, String>,
    sections: Vec<String>,
    resource_keys: Vec<String>,
    output_keys: Vec<String>,
    param_keys: Vec<String>,
    param_types: Vec<String>,
    constraint_keys: Option<Vec<String>>,
    deletion_policies: HashMap<String, String>,
    has_conditions: bool,
}

fn table(raw: &HashMap<String, String>) -> FunctionTable {
    raw.iter()
        .map(|(name, class)| {
            let f = Func::from_class(class)
                .unwrap_or_else(|| panic!("versions.json names unknown class {class}"));
            (name.clone(), f)
        })
        .collect()
}

/// Every version Heat 27 knows, in the order of Heat's table.
pub fn all() -> &'static [Version] {
    static VERSIONS: OnceLock<Vec<Version>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        let raw: Vec<RawVersion> = serde_json::from_str(include_str!("../../data/versions.json"))
            .expect("core/data/versions.json is valid");
        raw.into_iter()
            .map(|r| Version {
                dialect: if r.key == "heat_template_version" { Dialect::Hot } else { Dialect::Cfn },
                functions: table(&r.functions),
                condition_functions: table(&r.condition_functions),
                key: r.key,
                value: r.value,
                class: r.class,
                sections: r.sections,
                resource_keys: r.resource_keys,
                output_keys: r.output_keys,
                param_keys: r.param_keys,
                param_types: r.param_types,
                constraint_keys: r.constraint_keys,
                deletion_policies: r.deletion_policies,
                has_conditions: r.has_conditions,
            })
            .collect()
    })
}

/// The version registered under `key: value`.
pub fn find(key: &str, value: &str) -> Option<&'static Version> {
    all().iter().find(|v| v.key == key && v.value == value)
}

/// The version keys Heat recognises.
pub const VERSION_KEYS: [&str; 3] =
    ["heat_template_version", "AWSTemplateFormatVersion", "HeatTemplateFormatVersion"];

impl Version {
    /// The class of function `name` in this version, if it is a function at all.
    pub fn function(&self, name: &str) -> Option<Func> {
        self.functions.get(name).copied()
    }

    /// The resources section name (`resources` / `Resources`).
    pub fn resources_section(&self) -> &'static str {
        match self.dialect {
            Dialect::Hot => "resources",
            Dialect::Cfn => "Resources",
        }
    }

    /// The outputs section name.
    pub fn outputs_section(&self) -> &'static str {
        match self.dialect {
            Dialect::Hot => "outputs",
            Dialect::Cfn => "Outputs",
        }
    }

    /// The parameters section name.
    pub fn parameters_section(&self) -> &'static str {
        match self.dialect {
            Dialect::Hot => "parameters",
            Dialect::Cfn => "Parameters",
        }
    }

    /// The conditions section name.
    pub fn conditions_section(&self) -> &'static str {
        match self.dialect {
            Dialect::Hot => "conditions",
            Dialect::Cfn => "Conditions",
        }
    }

    /// The name of a resource field in this dialect (`properties` / `Properties`, ...),
    /// from its HOT name.
    pub fn resource_key(&self, hot_name: &str) -> &'static str {
        let (hot, cfn) = match hot_name {
            "type" => ("type", "Type"),
            "properties" => ("properties", "Properties"),
            "metadata" => ("metadata", "Metadata"),
            "depends_on" => ("depends_on", "DependsOn"),
            "deletion_policy" => ("deletion_policy", "DeletionPolicy"),
            "update_policy" => ("update_policy", "UpdatePolicy"),
            "description" => ("description", "Description"),
            "condition" => ("condition", "Condition"),
            "external_id" => ("external_id", "external_id"),
            "value" => ("value", "Value"),
            _ => ("", ""),
        };
        match self.dialect {
            Dialect::Hot => hot,
            Dialect::Cfn => cfn,
        }
    }

    /// Whether this is a dated HOT version at least `date` (`2015-10-15`), aliases
    /// included.
    pub fn hot_at_least(&self, date: &str) -> bool {
        self.dialect == Dialect::Hot && self.dated_value() >= date
    }

    /// The dated form of the version value (`rocky` gives `2018-08-31`).
    pub fn dated_value(&self) -> &str {
        match self.value.as_str() {
            "newton" => "2016-10-14",
            "ocata" => "2017-02-24",
            "pike" => "2017-09-01",
            "queens" => "2018-03-02",
            "rocky" => "2018-08-31",
            "wallaby" => "2021-04-16",
            v => v,
        }
    }
}

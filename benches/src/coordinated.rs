//! Generated templates of coordinated servers, for the compile benchmark.

/// A HOT template with `n` coordinated servers.
///
/// Server `s{i}` runs one script role that reads the output of an earlier server (and
/// `s0`'s first address), a hidden parameter and a plain one, and publishes its own
/// output; every tenth output is also a stack output, so the wait conditions' data is
/// taken apart too.
pub fn coordinated_template(n: usize) -> String {
    let mut t = String::from(
        "heat_template_version: 2016-10-14\nparameters:\n  pw: {type: string, hidden: true, default: x}\n  image: {type: string, default: debian-12}\nresources:\n",
    );
    for i in 0..n {
        let reads = if i == 0 {
            String::new()
        } else {
            let from = (i * 7919) % i;
            format!("              up: {{get_attr: [s{from}, out]}}\n              first: {{get_attr: [s0, first_address]}}\n")
        };
        t.push_str(&format!(
            "  s{i}:\n    type: OS::Nova::Server\n    properties: {{image: {{get_param: image}}, flavor: m1.small}}\n    metadata:\n      heat_sync:\n        tool: script\n        roles:\n          - name: r\n            run: \"heat-sync put out {i}\"\n            inputs:\n{reads}              pw: {{get_param: pw}}\n              image: {{get_param: image}}\n            outputs: {{out: out}}\n"
        ));
    }
    t.push_str("outputs:\n");
    for i in (0..n).step_by(10) {
        t.push_str(&format!("  o{i}: {{value: {{get_attr: [s{i}, out]}}}}\n"));
    }
    t
}

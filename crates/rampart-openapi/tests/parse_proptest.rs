//! `parse_spec` on hostile text: always a value or an error, never a panic.

use proptest::prelude::*;
use rampart_openapi::parse_spec;

const SKELETON: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://{h}/v1', variables: {h: {default: api.bank.example}}}]\npaths:\n  /accounts/{id}:\n    parameters: [{name: id, in: path, schema: {$ref: '#/components/schemas/Id'}}]\n    get:\n      responses:\n        200: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\ncomponents:\n  schemas:\n    Id: {type: string}\n    A: {type: object, properties: {self: {$ref: '#/components/schemas/A'}}}\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse_spec("fuzz.yaml", &text);
    }

    #[test]
    fn structured_noise_never_panics(text in "[{}\\[\\]:,\"'#/$a-z0-9 \\n-]{0,300}") {
        let _ = parse_spec("fuzz.json", &text);
    }

    #[test]
    fn mutated_specs_never_panic(cut in 0usize..SKELETON.len(), insert in "[{}\\[\\]:,'#/$ a-z0-9\\n-]{0,12}") {
        let mut text = SKELETON.to_owned();
        if text.is_char_boundary(cut) {
            text.insert_str(cut, &insert);
        }
        let _ = parse_spec("mutated.yaml", &text);
    }
}

#[test]
fn the_skeleton_itself_loads() {
    let doc = parse_spec("skeleton.yaml", SKELETON).unwrap();
    assert_eq!(doc.operations[0].template, "/v1/accounts/{id}");
    assert_eq!(doc.operations[0].hosts, vec!["api.bank.example".to_owned()]);
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    let deep_json = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(parse_spec("deep.json", &deep_json).is_err());
    let deep_yaml = format!("a: {}{}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(parse_spec("deep.yaml", &deep_yaml).is_err());
    let billion_laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    assert!(parse_spec("laughs.yaml", billion_laughs).is_err());
}

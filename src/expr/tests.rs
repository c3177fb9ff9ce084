//! Tests across the whole pipeline: checker errors, evaluator semantics, vectors, properties.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::manifest::{self, CheckContext};
use crate::model::Service;

const STACKS: &[&str] = &["axum", "fastify", "fastapi", "go", "aspnet"];

/// The payments example plus a resource with every field type and optional fields.
fn service() -> Service {
    let mut src = include_str!("../../examples/payments.yaml").to_owned();
    let extra = r#"
  sample:
    fields:
      customer_id: { type: ref, resource: customer, optional: true }
      qty: { type: integer, optional: true }
      big: { type: integer }
      price: { type: decimal, precision: 12, scale: 2 }
      label: { type: string, optional: true }
      color: { type: enum, values: [red, green, blue] }
      active: { type: boolean, optional: true }
      starts: { type: date }
      ends: { type: date }
      at: { type: timestamp }
      blob: { type: json, optional: true }
"#;
    let at = src.find("\nwebhooks:").unwrap();
    src.insert_str(at, extra);
    manifest::load(&src, CheckContext { src: &src, stacks: STACKS }).unwrap()
}

fn compile_on(resource: &str, when: &str) -> Result<CompiledRule, Vec<ExprError>> {
    let s = service();
    let r = s.resources.iter().find(|r| r.name == resource).unwrap();
    compile(when, r, &s.resources)
}

fn error(when: &str) -> (String, Range<usize>, Option<String>) {
    let e = compile_on("sample", when).map(|_| ()).unwrap_err().remove(0);
    (e.message, e.range, e.hint)
}

fn run(when: &str, fields: serde_json::Value) -> Result<bool, EvalError> {
    let rule = compile_on("sample", when).unwrap_or_else(|e| panic!("{when}: {e:?}"));
    let mut input = Input::default();
    if let serde_json::Value::Object(m) = fields {
        for (k, v) in m {
            if let Some(field) = k.strip_prefix("customer.") {
                input.refs.insert("customer_id".into(), json!({ field: v }));
            } else {
                input.fields.insert(k, v);
            }
        }
    }
    input.counts = vec![3; rule.counts.len()];
    match eval(&rule.ir, &input)? {
        Value::Boolean(b) => Ok(b),
        other => panic!("{when} gave {other:?}"),
    }
}

#[test]
fn checker_reports_what_and_where() {
    let cases: &[(&str, &str, Range<usize>)] = &[
        ("big > \"x\"", "`big` is an integer and `\"x\"` is a string: they cannot be compared", 6..9),
        ("bgi > 1", "`bgi` is not a field of sample", 0..3),
        ("count(payment, nope, 1h) > 1", "`nope` is not a field of sample", 15..19),
        ("count(payment, qty, 1h) > 1", "payment has no field `qty` to match this sample's against", 15..18),
        ("count(big, qty, 1h) > 1", "`big` is not a resource of this manifest", 6..9),
        ("count(sample, qty, 5) > 1", "`count` takes a window such as `1h`, `5m`, `30s`, `7d` or `500ms` last", 19..20),
        ("big + 1", "a rule's `when` must be a condition, but `big + 1` is an integer", 0..7),
        ("big.x == 1", "`big` does not name a ref of sample", 0..3),
        ("customer_id.name == \"a\"", "`customer_id` does not name a ref of sample", 0..11),
        ("customer.nmae == \"a\"", "`nmae` is not a field of customer", 9..13),
        ("color == \"rde\"", "\"rde\" is not a value of this enum", 9..14),
        ("color in [\"red\", \"pink\"]", "\"pink\" is not a value of this enum", 17..23),
        ("label < \"b\"", "`label` is a string, which compares only with `==`, `!=` and `in`", 0..11),
        ("blob == 1", "`blob` is a json value and `1` is an integer: they cannot be compared", 8..9),
        ("blob == blob", "`blob` is a json value, which compares only with `== null` and `!= null`", 0..12),
        ("active and big > 1", "`active` may be null, and each side of `and` needs true or false", 0..6),
        ("price / 2 > 1", "`/` divides integers only: a decimal quotient would need rounding", 0..9),
        ("big > null", "`>` does not compare with null: only `==` and `!=` do", 6..10),
        ("starts < at", "`starts` is a date and `at` is a timestamp: they cannot be compared", 9..11),
        ("size(label) > 1", "unknown function `size`", 0..4),
        ("len(big) > 1", "`len` takes a string, but `big` is an integer", 4..7),
        ("big in 3", "`in` takes a list in brackets", 7..8),
        ("1h > 1", "`1h` is a duration, which only `count(resource, field, 1h)` takes", 0..2),
        ("payment == 1", "`payment` is a resource, not a field", 0..7),
        ("created_at == null", "`created_at` is not a field of sample", 0..10),
    ];
    for (when, message, range) in cases {
        let (m, r, _) = error(when);
        assert_eq!((m.as_str(), r), (*message, range.clone()), "{when}");
    }
    assert_eq!(error("prcie > 1").2.as_deref(), Some("did you mean `price`?"));
    assert_eq!(error("customer_id.name == \"a\"").2.as_deref(), Some("follow the ref as `customer.name`"));
    assert_eq!(error("active and big > 1").2.as_deref(), Some("write `active == true` to treat null as false"));
}

#[test]
fn checker_reports_several_type_errors_at_once() {
    let errors = compile_on("sample", "bgi > 1 and lbl == \"x\"").unwrap_err();
    assert_eq!(errors.iter().map(|e| e.range.clone()).collect::<Vec<_>>(), [0..3, 12..15]);
}

#[test]
fn ir_is_explicit_for_templates() {
    let rule = compile_on("payment", "customer.risk_level == \"high\" and amount >= 100000").unwrap();
    let ir = serde_json::to_value(&rule.ir).unwrap();
    assert_eq!(ir["kind"], "and");
    assert_eq!(ir["type"], "boolean");
    assert_eq!(
        ir["lhs"]["lhs"],
        json!({"kind": "ref_field", "via": "customer_id", "resource": "customer", "field": "risk_level", "type": "string", "nullable": false})
    );
    assert_eq!(ir["lhs"]["operand"], "string");
    assert_eq!(ir["rhs"]["op"], "ge");
    assert_eq!(ir["rhs"]["lhs"], json!({"kind": "field", "field": "amount", "type": "integer", "nullable": false}));
    assert_eq!(
        serde_json::to_value(&rule.refs).unwrap(),
        json!([{"via": "customer_id", "resource": "customer", "table": "customers", "fields": ["risk_level"], "nullable": false}])
    );

    let rule = compile_on("payment", "count(payment, customer_id, 1h) >= 5 or count(payment, customer_id, 1h) > 9").unwrap();
    assert_eq!(rule.counts.len(), 1, "identical counts are computed once");
    let count = serde_json::to_value(&rule.counts[0]).unwrap();
    assert_eq!(
        count,
        json!({"index": 0, "resource": "payment", "table": "payments", "group_field": "customer_id", "window_ms": 3_600_000})
    );

    let rule = compile_on("sample", "price >= 1000 and label == null and qty * 2 > 1.5").unwrap();
    let ir = serde_json::to_value(&rule.ir).unwrap();
    assert_eq!(ir["lhs"]["lhs"]["rhs"], json!({"kind": "decimal", "value": "1000", "type": "decimal", "scale": 0, "nullable": false}));
    assert_eq!(ir["lhs"]["rhs"]["kind"], "is_null");
    assert_eq!(ir["rhs"]["lhs"]["kind"], "to_decimal");
    assert_eq!(ir["rhs"]["lhs"]["nullable"], true);
    assert_eq!(ir["rhs"]["lhs"]["arg"]["operand"], "integer");
}

#[test]
fn null_compares_false_except_with_null() {
    assert_eq!(run("qty > 1", json!({})), Ok(false));
    assert_eq!(run("qty <= 1", json!({"qty": null})), Ok(false));
    assert_eq!(run("qty != 1", json!({})), Ok(false));
    assert_eq!(run("qty == null", json!({})), Ok(true));
    assert_eq!(run("qty != null", json!({"qty": 0})), Ok(true));
    assert_eq!(run("qty + 1 > 0", json!({})), Ok(false));
    assert_eq!(run("not (qty > 1)", json!({})), Ok(true));
    assert_eq!(run("qty in [1, 2]", json!({})), Ok(false));
    assert_eq!(run("qty not in [1, 2]", json!({})), Ok(false));
    assert_eq!(run("len(label) == 0", json!({})), Ok(false));
    assert_eq!(run("active == true", json!({})), Ok(false));
    assert_eq!(run("customer.name == \"a\"", json!({})), Ok(false));
    assert_eq!(run("null == null", json!({})), Ok(true));
}

#[test]
fn integer_arithmetic_is_exact_and_overflow_is_an_error() {
    let max = i64::MAX;
    assert_eq!(run("big + 1 > 0", json!({"big": max})), Err(EvalError::Overflow));
    assert_eq!(run("big * big > 0", json!({"big": 1_i64 << 40})), Err(EvalError::Overflow));
    assert_eq!(run("-big < 0", json!({"big": i64::MIN})), Err(EvalError::Overflow));
    assert_eq!(run("big / 0 > 0", json!({"big": 1})), Err(EvalError::DivisionByZero));
    assert_eq!(run("big / -1 > 0", json!({"big": i64::MIN})), Err(EvalError::Overflow));
    assert_eq!(run("big / 2 == -3", json!({"big": -7})), Ok(true), "truncates toward zero");
    assert_eq!(run("big - 1 == 9007199254740992", json!({"big": 9_007_199_254_740_993_i64})), Ok(true));
    assert_eq!(run("big > 0 or big + 1 > 0", json!({"big": max})), Ok(true), "or stops at the first true");
    assert_eq!(run("big < 0 and big + 1 > 0", json!({"big": max})), Ok(false), "and stops at the first false");
}

#[test]
fn decimals_compare_by_value() {
    assert_eq!(run("price == 1000", json!({"price": "1000.00"})), Ok(true));
    assert_eq!(run("1000.00 == 1000", json!({})), Ok(true));
    assert_eq!(run("price > 0.1 + 0.2", json!({"price": "0.30"})), Ok(false));
    assert_eq!(run("price * 3 == 1.05", json!({"price": "0.35"})), Ok(true));
    assert_eq!(run("big > 10.5", json!({"big": 11})), Ok(true));
    assert_eq!(run("big > 10.5", json!({"big": 10})), Ok(false));
    assert_eq!(run("-price < -1", json!({"price": "1.01"})), Ok(true));
    assert_eq!(run("price in [1, 2.50]", json!({"price": "2.5"})), Ok(true));
}

#[test]
fn strings_lists_and_functions() {
    assert_eq!(run("color in [\"red\", \"blue\"]", json!({"color": "blue"})), Ok(true));
    assert_eq!(run("color not in [\"red\", \"blue\"]", json!({"color": "green"})), Ok(true));
    assert_eq!(run("big in [1, 2, 3]", json!({"big": 4})), Ok(false));
    assert_eq!(run("len(label) == 3", json!({"label": "été"})), Ok(true), "characters, not bytes");
    assert_eq!(run("lower(label) == \"ärger\"", json!({"label": "ÄRGER"})), Ok(true));
    assert_eq!(run("label == \"say \\\"hi\\\"\"", json!({"label": "say \"hi\""})), Ok(true));
    assert_eq!(run("starts < ends", json!({"starts": "2024-01-09", "ends": "2024-01-10"})), Ok(true));
    assert_eq!(run("at == at", json!({"at": "2024-01-01T01:00:00+01:00"})), Ok(true));
    assert_eq!(run("count(sample, color, 10m) == 3", json!({"color": "red"})), Ok(true));
}

#[test]
fn precedence_reaches_the_evaluator() {
    // `not a == b and c` is `(not (a == b)) and c`.
    let when = "not big == 1 and color == \"red\"";
    assert_eq!(run(when, json!({"big": 2, "color": "red"})), Ok(true));
    assert_eq!(run(when, json!({"big": 1, "color": "red"})), Ok(false));
    assert_eq!(run("big == 1 or big == 2 and big == 3", json!({"big": 1})), Ok(true));
    assert_eq!(run("2 + 3 * 4 == 14", json!({})), Ok(true));
    assert_eq!(run("10 - 4 - 3 == 3", json!({})), Ok(true));
}

#[test]
fn vectors_probe_the_boundary() {
    let s = service();
    let payment = s.resources.iter().find(|r| r.name == "payment").unwrap();
    let rule = &payment.rules[0];
    let seen: Vec<(serde_json::Value, Expected)> =
        rule.vectors.iter().map(|v| (v.input.fields["amount"].clone(), v.expected.clone())).collect();
    assert!(seen.contains(&(json!(5_000_000), Expected::Result(false))), "{seen:?}");
    assert!(seen.contains(&(json!(5_000_001), Expected::Result(true))), "{seen:?}");

    let velocity = &payment.rules[1];
    let counts: Vec<(i64, Expected)> = velocity.vectors.iter().map(|v| (v.input.counts[0], v.expected.clone())).collect();
    assert_eq!(counts, [(5, Expected::Result(true)), (6, Expected::Result(true)), (4, Expected::Result(false))]);
    assert!(velocity.vectors.iter().all(|v| v.input.fields["customer_id"].is_string()), "the grouped value is part of the input");

    for resource in &s.resources {
        for rule in &resource.rules {
            assert!((2..=10).contains(&rule.vectors.len()), "{}: {}", rule.name, rule.vectors.len());
            let outcomes: Vec<&Expected> = rule.vectors.iter().map(|v| &v.expected).collect();
            assert!(outcomes.contains(&&Expected::Result(true)) && outcomes.contains(&&Expected::Result(false)), "{}", rule.name);
        }
    }
    let again = service();
    assert_eq!(serde_json::to_string(&s.resources).unwrap(), serde_json::to_string(&again.resources).unwrap(), "deterministic");
}

#[test]
fn vectors_cover_null_and_overflow() {
    let s = service();
    let sample = s.resources.iter().find(|r| r.name == "sample").unwrap();
    let rule = compile("qty * big > 10", sample, &s.resources).unwrap();
    let made = vectors(&rule, sample, &s.resources);
    let json = serde_json::to_value(&made).unwrap();
    assert!(json.as_array().unwrap().iter().any(|v| v["expected"] == json!({"error": "overflow"})), "{json:#}");
    assert!(made.iter().any(|v| v.input.fields.get("qty") == Some(&serde_json::Value::Null)));

    let rule = compile("customer.risk_level == \"high\"", sample, &s.resources).unwrap();
    let made = vectors(&rule, sample, &s.resources);
    assert!(made.iter().any(|v| v.input.refs["customer_id"].is_null() && v.expected == Expected::Result(false)));
}

#[test]
fn examples_compile_with_refs_and_counts() {
    let src = include_str!("../../examples/invoicing.yaml");
    let s = manifest::load(src, CheckContext { src, stacks: STACKS }).unwrap();
    let invoice = s.resources.iter().find(|r| r.name == "invoice").unwrap();
    let over = &invoice.rules[0];
    assert_eq!(over.refs[0].fields, ["credit_limit"]);
    assert!(matches!(&over.ir.op, Op::Compare { operand: Type::Decimal, .. }));
    let large = &invoice.rules[2];
    assert_eq!(over.refs[0].table, "accounts");
    assert!(large.vectors.iter().any(|v| v.input.fields["total"] == json!("1000.00") && v.expected == Expected::Result(true)));
    assert!(large.vectors.iter().any(|v| v.input.fields["total"] == json!("999.99") && v.expected == Expected::Result(false)));
}

/// Tokens, as text, from which the property tests assemble hostile sequences.
const TOKENS: &[&str] = &[
    "amount",
    "customer",
    ".",
    "risk_level",
    "count",
    "len",
    "lower",
    "(",
    ")",
    "[",
    "]",
    ",",
    "and",
    "or",
    "not",
    "in",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "1",
    "0",
    "9223372036854775807",
    "1000.00",
    "\"x\"",
    "\"\\\"\"",
    "true",
    "false",
    "null",
    "1h",
    "5w",
    "payment",
    "customer_id",
    "metadata",
    "status",
    "\"high\"",
];

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| !matches!(s.as_str(), "and" | "or" | "not" | "in" | "true" | "false" | "null"))
}

fn node(kind: ExprKind) -> Expr {
    Expr { kind, span: 0..0 }
}

fn ast() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0..i64::MAX).prop_map(|i| node(ExprKind::Int(i))),
        ("[0-9]{1,5}", "[0-9]{1,3}").prop_map(|(a, b)| node(ExprKind::Decimal(format!("{a}.{b}")))),
        any::<String>().prop_map(|s| node(ExprKind::Str(s))),
        "[1-9][0-9]{0,3}(ms|s|m|h|d)".prop_map(|d| node(ExprKind::Duration(d))),
        any::<bool>().prop_map(|b| node(ExprKind::Bool(b))),
        Just(node(ExprKind::Null)),
        prop::collection::vec(ident(), 1..=2)
            .prop_map(|names| node(ExprKind::Path(names.into_iter().map(|name| Ident { name, span: 0..0 }).collect()))),
    ];
    leaf.prop_recursive(8, 64, 4, |inner| {
        let ops = [
            BinaryOp::Or,
            BinaryOp::And,
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Lt,
            BinaryOp::Le,
            BinaryOp::Gt,
            BinaryOp::Ge,
            BinaryOp::In,
            BinaryOp::NotIn,
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
        ];
        prop_oneof![
            (prop::sample::select(ops.to_vec()), inner.clone(), inner.clone()).prop_map(|(op, l, r)| node(ExprKind::Binary {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r)
            })),
            (prop::sample::select(vec![UnaryOp::Neg, UnaryOp::Not]), inner.clone())
                .prop_map(|(op, a)| node(ExprKind::Unary { op, arg: Box::new(a) })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| node(ExprKind::List(items))),
            (ident(), prop::collection::vec(inner, 0..4))
                .prop_map(|(name, args)| node(ExprKind::Call { name: Ident { name, span: 0..0 }, args })),
        ]
    })
}

fn check_everything(src: &str, s: &Service) {
    for r in &s.resources {
        if let Ok(rule) = compile(src, r, &s.resources) {
            let _ = vectors(&rule, r, &s.resources);
            let _ = eval(&rule.ir, &Input::default());
        }
    }
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(src in any::<String>()) {
        check_everything(&src, &service());
    }

    #[test]
    fn never_panics_on_token_soup(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..40)) {
        check_everything(&tokens.join(" "), &service());
    }

    #[test]
    fn printing_and_reparsing_gives_the_same_tree(tree in ast()) {
        let printed = tree.to_string();
        let reparsed = parse(&printed);
        prop_assume!(printed.len() <= MAX_LENGTH);
        let reparsed = reparsed.map_err(|e| TestCaseError::fail(format!("{printed}: {e:?}")))?;
        prop_assert_eq!(reparsed.without_spans(), tree);
        prop_assert_eq!(reparsed.to_string(), printed);
    }

    #[test]
    fn spans_cover_the_text_they_came_from(tokens in prop::collection::vec(prop::sample::select(TOKENS), 1..20)) {
        let src = tokens.join(" ");
        if let Ok(e) = parse(&src) {
            prop_assert!(e.span.end <= src.len());
            let printed = e.to_string();
            prop_assert_eq!(parse(&printed).map(|t| t.without_spans()), Ok(e.without_spans()));
        }
    }
}

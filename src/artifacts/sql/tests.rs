use super::ident::fit;
use super::*;
use crate::generate;

const EXAMPLES: [(&str, &str); 3] = [
    ("invoicing", include_str!("../../../examples/invoicing.yaml")),
    ("notes", include_str!("../../../examples/notes.yaml")),
    ("payments", include_str!("../../../examples/payments.yaml")),
];

fn service(manifest: &str) -> Service {
    match generate::service(manifest, &[], &[]) {
        Ok(service) => service,
        Err(diagnostics) => panic!("invalid test manifest: {diagnostics:?}"),
    }
}

fn resources_sql(manifest: &str) -> String {
    migrations(&service(manifest)).remove(1).sql
}

/// A manifest with the given `resources:` block, indented by two spaces.
fn with_resources(resources: &str) -> String {
    format!("skaffold: 1\nname: test\ndescription: test\nauth: none\ncache: none\nresources:\n{resources}")
}

/// The position of `needle` in `haystack`, failing the test when absent.
fn position(haystack: &str, needle: &str) -> usize {
    haystack.find(needle).unwrap_or_else(|| panic!("`{needle}` not found in:\n{haystack}"))
}

/// Every name given to a constraint or an index.
fn object_names(sql: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for line in sql.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            if matches!(pair[0], "constraint" | "index") {
                names.push(pair[1]);
            }
        }
    }
    names
}

#[test]
fn the_same_manifest_gives_the_same_bytes() {
    for (name, manifest) in EXAMPLES {
        assert_eq!(migrations(&service(manifest)), migrations(&service(manifest)), "{name}");
    }
}

#[test]
fn the_platform_migration_is_the_same_for_every_manifest() {
    let platforms: Vec<String> = EXAMPLES.iter().map(|(_, m)| migrations(&service(m)).remove(0).sql).collect();
    assert!(platforms.windows(2).all(|w| w[0] == w[1]));
    let names: Vec<(u32, String)> = migrations(&service(EXAMPLES[1].1)).into_iter().map(|m| (m.version, m.name)).collect();
    assert_eq!(names, [(1, "0001_platform".to_owned()), (2, "0002_resources".to_owned())]);
}

#[test]
fn the_platform_creates_every_system_table() {
    let sql = platform::SQL;
    for table in crate::manifest::names::SYSTEM_TABLES {
        position(sql, &format!("create table {table} ("));
    }
}

#[test]
fn scripts_are_lf_two_space_text_ending_in_a_newline() {
    for (name, manifest) in EXAMPLES {
        for m in migrations(&service(manifest)) {
            assert!(m.sql.ends_with(";\n") || m.sql.ends_with("$;\n"), "{name} {}", m.name);
            assert!(!m.sql.contains('\r') && !m.sql.contains('\t'), "{name} {}", m.name);
            assert!(m.sql.lines().all(|l| !l.ends_with(' ')), "{name} {}: trailing space", m.name);
            let odd = m.sql.lines().find(|l| (l.len() - l.trim_start().len()) % 2 == 1);
            assert_eq!(odd, None, "{name} {}: odd indentation", m.name);
        }
    }
}

#[test]
fn referenced_tables_come_first_whatever_the_manifest_order() {
    let sql = resources_sql(EXAMPLES[0].1);
    let accounts = position(&sql, "create table accounts (");
    let invoices = position(&sql, "create table invoices (");
    let line_items = position(&sql, "create table line_items (");
    assert!(accounts < invoices && invoices < line_items);

    let sql = resources_sql(&with_resources(
        "  comment:\n    fields:\n      post_id: { type: ref, resource: post }\n  post:\n    fields:\n      title: { type: string }\n",
    ));
    assert!(position(&sql, "create table posts (") < position(&sql, "create table comments ("));
    position(&sql, "constraint comments_post_id_fkey foreign key (post_id) references posts (id) on delete restrict");
    assert!(!sql.contains("alter table"));
}

#[test]
fn a_cycle_of_refs_gets_its_foreign_key_after_both_tables() {
    let sql = resources_sql(&with_resources(concat!(
        "  team:\n    fields:\n      lead_id: { type: ref, resource: member, optional: true }\n",
        "  member:\n    fields:\n      team_id: { type: ref, resource: team }\n      mentor_id: { type: ref, resource: member, optional: true }\n",
    )));
    let members = position(&sql, "create table members (");
    let alter = position(&sql, "alter table teams add constraint teams_lead_id_fkey foreign key (lead_id) references members (id)");
    assert!(position(&sql, "create table teams (") < members && members < alter);
    // A self-reference is fine inside create table.
    assert!(position(&sql, "constraint members_mentor_id_fkey") < alter);
    assert_eq!(sql.matches("teams_lead_id_fkey").count(), 1);
}

#[test]
fn long_names_are_shortened_to_63_bytes_without_collisions() {
    let long = "a_resource_name_that_is_rather_long_abcd";
    let field = "and_a_filter_field_that_is_long_as_well";
    let sql = resources_sql(&with_resources(&format!(
        "  {long}:\n    fields:\n      {field}: {{ type: string, unique: true, min_length: 1 }}\n      {field}2: {{ type: integer, min: 0 }}\n    filters: [{field}, {field}2]\n"
    )));
    let names = object_names(&sql);
    assert!(names.len() >= 6, "{names:?}");
    assert!(names.iter().all(|n| n.len() <= 63), "{names:?}");
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");

    assert_eq!(fit("x".repeat(63)), "x".repeat(63));
    let cut = fit(format!("{}_tail", "x".repeat(60)));
    assert_eq!(cut.len(), 63);
    assert_ne!(cut, fit(format!("{}_other", "x".repeat(60))));
}

#[test]
fn defaults_are_quoted_literals() {
    let sql = resources_sql(&with_resources(concat!(
        "  quote:\n    fields:\n",
        "      saying: { type: string, default: \"it's 'quoted'\" }\n",
        "      count: { type: integer, default: -3 }\n",
        "      price: { type: decimal, precision: 8, scale: 2, default: 1.5 }\n",
        "      settings: { type: json, default: { note: \"o'clock\" } }\n",
        "      active: { type: boolean, default: true }\n",
    )));
    position(&sql, "saying text not null default 'it''s ''quoted'''");
    position(&sql, "count bigint not null default -3");
    position(&sql, "price numeric(8, 2) not null default 1.50");
    position(&sql, r#"settings jsonb not null default '{"note":"o''clock"}'::jsonb"#);
    position(&sql, "active boolean not null default true");
}

#[test]
fn every_filter_has_its_keyset_index() {
    for (_, manifest) in EXAMPLES {
        let service = service(manifest);
        let sql = migrations(&service).remove(1).sql;
        for resource in &service.resources {
            let table = &resource.plural;
            position(&sql, &format!("on {table} (created_at desc, id desc);"));
            for filter in &resource.filters {
                position(
                    &sql,
                    &format!("create index {table}_{filter}_created_at_id_idx on {table} ({filter}, created_at desc, id desc);"),
                );
            }
        }
    }
}

#[test]
fn every_ref_column_is_indexed() {
    let sql = resources_sql(&with_resources(concat!(
        "  owner:\n    fields:\n      name: { type: string }\n",
        "  pet:\n    fields:\n      owner_id: { type: ref, resource: owner }\n      vet_id: { type: ref, resource: owner }\n    filters: [owner_id]\n",
    )));
    // The filter index starts with owner_id and serves the foreign key; vet_id needs its own.
    position(&sql, "create index pets_owner_id_created_at_id_idx on pets (owner_id, created_at desc, id desc);");
    position(&sql, "create index pets_vet_id_idx on pets (vet_id);");
    assert!(!sql.contains("pets_owner_id_idx"));
}

#[test]
fn flags_exist_only_where_rules_flag() {
    let service = service(EXAMPLES[2].1);
    let sql = migrations(&service).remove(1).sql;
    let customers = &sql[position(&sql, "create table customers (")..position(&sql, "create table payments (")];
    let payments = &sql[position(&sql, "create table payments (")..];
    assert!(!customers.contains("flags"));
    position(payments, "flags text[] not null default '{}'");
    assert!(!resources_sql(EXAMPLES[1].1).contains("flags text[]"));
}

#[test]
fn field_constraints_become_named_checks() {
    let sql = resources_sql(EXAMPLES[2].1);
    for expected in [
        "constraint customers_email_length check (char_length(email) <= 255)",
        r"constraint customers_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$')",
        "constraint customers_email_key unique (email)",
        "constraint customers_country_pattern check (country ~ '^[A-Z]{2}$')",
        "constraint customers_risk_level_values check (risk_level in ('low', 'normal', 'high'))",
        "constraint payments_amount_range check (amount between 1 and 100000000)",
        "constraint payments_metadata_size check (octet_length(metadata::text) <= 8192)",
        "constraint payments_description_length check (char_length(description) <= 2000)",
        "constraint payments_version_range check (version >= 1)",
        "provider_ref text,",
    ] {
        position(&sql, expected);
    }
    let invoicing = resources_sql(EXAMPLES[0].1);
    position(&invoicing, "constraint invoices_total_range check (total between 0.01 and 9999999.99)");
    position(&invoicing, "credit_limit numeric(12, 2) not null default 5000.00");
}

#[test]
fn a_resource_without_a_list_route_has_no_list_index() {
    let sql = resources_sql(&with_resources(concat!(
        "  secret:\n    operations: [create, read]\n    fields:\n      value: { type: string }\n",
        "  note:\n    fields:\n      title: { type: string }\n",
    )));
    assert!(!sql.contains("secrets_created_at_id_idx"));
    position(&sql, "create index notes_created_at_id_idx on notes (created_at desc, id desc);");
}

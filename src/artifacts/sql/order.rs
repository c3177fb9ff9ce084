//! The order in which resource tables are created, so that foreign keys point at tables that
//! already exist.

use crate::model::{FieldType, Resource};

/// The resources in creation order, with the foreign keys that must wait.
#[derive(Debug)]
pub struct CreationOrder<'a> {
    pub tables: Vec<&'a Resource>,
    /// `(resource, field)` pairs whose target table is created later (a cycle of refs): their
    /// constraints are added with `alter table` once every table exists.
    pub deferred: Vec<(&'a Resource, &'a str)>,
}

/// Orders resources so that each comes after the resources it refers to, keeping manifest order
/// wherever refs allow it (so adding a resource does not reshuffle the others). When only a
/// cycle is left, the first remaining resource in manifest order goes next and its refs to
/// tables not yet created are deferred. Self-references need no deferral: PostgreSQL accepts a
/// foreign key to the table being created.
pub fn creation_order(resources: &[Resource]) -> CreationOrder<'_> {
    let mut created: Vec<&str> = Vec::with_capacity(resources.len());
    let mut order = CreationOrder { tables: Vec::with_capacity(resources.len()), deferred: Vec::new() };
    while order.tables.len() < resources.len() {
        let remaining = || resources.iter().filter(|r| !created.contains(&r.name.as_str()));
        let ready = remaining().find(|r| targets(r).all(|(_, t)| t == r.name || created.contains(&t)));
        let Some(next) = ready.or_else(|| remaining().next()) else { break };
        for (field, target) in targets(next) {
            if target != next.name && !created.contains(&target) {
                order.deferred.push((next, field));
            }
        }
        created.push(&next.name);
        order.tables.push(next);
    }
    order
}

/// `(field, target resource)` for every ref field of `resource`.
fn targets(resource: &Resource) -> impl Iterator<Item = (&str, &str)> {
    resource.fields.iter().filter_map(|f| match &f.ty {
        FieldType::Ref { resource } => Some((f.name.as_str(), resource.as_str())),
        _ => None,
    })
}

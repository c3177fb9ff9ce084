//! The manifest loader never panics, whatever it is given: arbitrary text, and, more searching,
//! real manifests with lines dropped, repeated, swapped or cut short.

use proptest::prelude::*;

use crate::harness::{embedded_stacks, example_manifests};

fn load(text: &str) {
    // Valid or not, the loader answers; a panic fails the property.
    let _ = skaffold::generate::service(text, &[], &embedded_stacks());
}

fn examples() -> Vec<String> {
    example_manifests().iter().map(|p| fs_err::read_to_string(p).unwrap()).collect()
}

#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Repeat(usize),
    Swap(usize, usize),
    Truncate(usize, usize),
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Drop),
        any::<usize>().prop_map(Edit::Repeat),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Truncate(a, b)),
        (any::<usize>(), "[ -~]{0,12}|[\\[\\]{}:,&*!|>'\"#-]{1,4}").prop_map(|(a, s)| Edit::Insert(a, s)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Drop(i) => {
                lines.remove(i % n);
            }
            Edit::Repeat(i) => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Edit::Swap(a, b) => lines.swap(a % n, b % n),
            Edit::Truncate(i, at) => {
                let line = &mut lines[i % n];
                let cut = line.char_indices().map(|(i, _)| i).nth(at % (line.chars().count() + 1)).unwrap_or(line.len());
                line.truncate(cut);
            }
            Edit::Insert(i, s) => {
                let line = &mut lines[i % n];
                let at = line.char_indices().map(|(i, _)| i).nth(s.len() % (line.chars().count() + 1)).unwrap_or(line.len());
                line.insert_str(at, s);
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        load(&text);
    }

    #[test]
    fn yaml_shaped_noise_never_panics(text in "([a-z_]{1,8}: ?(\\[|\\{|&a |\\*a|!!str |\\||>|-|[0-9a-z\"' ]{0,6})\n {0,6}){0,30}") {
        load(&text);
    }

    #[test]
    fn edited_examples_never_panic(which in 0usize..16, edits in prop::collection::vec(edit(), 1..6)) {
        let examples = examples();
        let text = apply(&examples[which % examples.len()], &edits);
        load(&text);
    }
}

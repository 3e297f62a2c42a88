//! Text as a SEPA file may carry it: the EPC's Latin character set (`a-z A-Z 0-9 / - ? : ( ) .
//! , ' +` and space). German letters become their usual spellings (ä → ae, ß → ss), other
//! letters of any script their closest ASCII (`deunicode`), anything else (symbols, emoji,
//! control characters) a space; a name is never dropped. Identifiers keep the set's
//! characters only (`sepa_id`).

/// `raw` in the SEPA character set, at most `max` characters, never empty (`fallback` then).
pub fn sepa_text(raw: &str, max: usize, fallback: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            '&' => out.push('+'),
            c if allowed(c) => out.push(c),
            c if c.is_ascii() || !c.is_alphabetic() => out.push(' '),
            c => {
                let ascii = deunicode::deunicode_char(c).unwrap_or(" ");
                out.extend(ascii.chars().map(|a| if allowed(a) { a } else { ' ' }));
            }
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = collapsed.chars().take(max).collect();
    match cut.trim() {
        "" => fallback.chars().take(max).collect(),
        text => text.to_owned(),
    }
}

/// The longest identifier a file carries (`Max35Text`: end-to-end id, mandate reference).
pub const ID_MAX: usize = 35;

/// `raw` as an identifier the EPC allows: the SEPA set, 1 to 35 characters, no space or `/`
/// at either end and no `//` (nor double spaces). Ours always are; anything else loses what is not allowed rather
/// than fail the whole file (`NOTPROVIDED` if nothing is left).
pub fn sepa_id(raw: &str) -> String {
    let mut id = String::with_capacity(raw.len().min(ID_MAX));
    for c in raw.chars().filter(|c| allowed(*c)) {
        if !(matches!(c, '/' | ' ') && id.ends_with(c)) {
            id.push(c);
        }
    }
    let cut: String = id.chars().take(ID_MAX).collect();
    match cut.trim_matches([' ', '/']) {
        "" => "NOTPROVIDED".to_owned(),
        id => id.to_owned(),
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || " /-?:().,'+".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_spelled_in_the_sepa_set_and_never_dropped() {
        assert_eq!(
            sepa_text("Jürgen Weiß-Öztürk", 70, "x"),
            "Juergen Weiss-Oeztuerk"
        );
        assert_eq!(
            sepa_text("Émile Zoë Ångström", 70, "x"),
            "Emile Zoe Angstroem"
        );
        assert_eq!(
            sepa_text("Ärzte & Co. <GmbH>", 70, "x"),
            "Aerzte + Co. GmbH"
        );
        assert_eq!(sepa_text("王小明", 70, "Donor"), "Wang Xiao Ming");
        assert_eq!(sepa_text("\u{1F600}\u{0}", 70, "Donor"), "Donor");
        assert_eq!(sepa_text("Anna\u{0}\u{202e}Berg", 70, "x"), "Anna Berg");
        assert_eq!(sepa_text("abcdef", 3, "x"), "abc");
    }

    #[test]
    fn identifiers_keep_the_sepa_set() {
        let ours = "DON0123456789ABCDEF0123456789ABCDEF";
        assert_eq!(sepa_id(ours), ours);
        assert_eq!(sepa_id("/a//b ü&/"), "a/b");
        assert_eq!(sepa_id("<>"), "NOTPROVIDED");
        assert_eq!(sepa_id(&"x".repeat(40)).len(), ID_MAX);
    }

    /// The XSD's patterns and lengths, as the EPC restricts them.
    fn in_sepa_set(text: &str) -> bool {
        text.chars().all(allowed)
    }

    proptest::proptest! {
        #[test]
        fn any_text_becomes_what_its_element_takes(raw in ".{0,200}", max in 1usize..=140) {
            let text = sepa_text(&raw, max, "Donor");
            proptest::prop_assert!((1..=max).contains(&text.chars().count()), "{text:?}");
            proptest::prop_assert!(in_sepa_set(&text) && text.trim() == text, "{text:?}");
        }

        #[test]
        fn any_identifier_becomes_an_epc_identifier(raw in ".{0,80}") {
            let id = sepa_id(&raw);
            proptest::prop_assert!((1..=ID_MAX).contains(&id.chars().count()), "{id:?}");
            proptest::prop_assert!(in_sepa_set(&id) && !id.contains("//"), "{id:?}");
            proptest::prop_assert!(!id.starts_with(['/', ' ']) && !id.ends_with(['/', ' ']));
        }
    }
}

//! The controlled list of problem substances and the normalisation of free text to it.
//!
//! The list is `records.md`'s, in its order, followed by the two categories that the Gwent
//! report counts separately and that are not the same thing as any entry of it (`Alcohol
//! Unspecified`, `Other - At Risk`); keeping them apart is what makes the report's "20
//! substances used" come out. Matching ignores case, spaces and punctuation, so
//! `Subutex - Illicit`, `subutex illicit` and `SUBUTEX(ILLICIT)` are one spelling.

/// A substance on the controlled list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Substance {
    /// The stable key, as breakdowns report it: the name as `records.md` lists it.
    pub key: &'static str,
    /// The label a person reads.
    pub label: &'static str,
    /// Accepted spellings, already reduced to lower-case letters and digits.
    synonyms: &'static [&'static str],
}

const fn s(key: &'static str, label: &'static str, synonyms: &'static [&'static str]) -> Substance {
    Substance {
        key,
        label,
        synonyms,
    }
}

/// The controlled list, in order. A substance column holds an index into this list, or
/// `CONTROLLED.len() + i` for the i-th unrecognised name of the extract.
pub const CONTROLLED: [Substance; 21] = [
    s(
        "heroin",
        "Heroin",
        &["heroin", "streetheroin", "illicitheroin"],
    ),
    s(
        "cocaine",
        "Cocaine",
        &[
            "cocaine",
            "powdercocaine",
            "cocainepowder",
            "cocainehydrochloride",
        ],
    ),
    s(
        "crack",
        "Crack",
        &["crack", "crackcocaine", "cocainefreebase"],
    ),
    s(
        "cannabis",
        "Cannabis",
        &[
            "cannabis",
            "skunk",
            "herbalcannabis",
            "cannabisresin",
            "cannabisherbal",
        ],
    ),
    s(
        "amphetamines",
        "Amphetamines",
        &[
            "amphetamines",
            "amphetamine",
            "speed",
            "amphetaminesulphate",
        ],
    ),
    s(
        "mephedrone",
        "Mephedrone",
        &["mephedrone", "mcat", "meowmeow", "4mmc"],
    ),
    s("alcohol", "Alcohol", &["alcohol"]),
    s(
        "benzodiazepines",
        "Benzodiazepines",
        &[
            "benzodiazepines",
            "benzodiazepine",
            "benzos",
            "benzodiazepinesillicit",
        ],
    ),
    s("ketamine", "Ketamine", &["ketamine"]),
    s(
        "methadone (illicit)",
        "Methadone (illicit)",
        &[
            "methadoneillicit",
            "illicitmethadone",
            "methadonenotprescribed",
        ],
    ),
    s(
        "methadone (script)",
        "Methadone (script)",
        &[
            "methadonescript",
            "methadoneprescribed",
            "prescribedmethadone",
            "scriptmethadone",
        ],
    ),
    s(
        "buprenorphine (illicit)",
        "Buprenorphine (illicit)",
        &[
            "buprenorphineillicit",
            "illicitbuprenorphine",
            "subutexillicit",
            "illicitsubutex",
        ],
    ),
    s(
        "dihydrocodeine (illicit)",
        "Dihydrocodeine (illicit)",
        &[
            "dihydrocodeineillicit",
            "illicitdihydrocodeine",
            "dhcillicit",
        ],
    ),
    s(
        "methamphetamine",
        "Methamphetamine",
        &[
            "methamphetamine",
            "methamphetamines",
            "crystalmeth",
            "crystalmethamphetamine",
        ],
    ),
    s(
        "synthetic cannabinoids",
        "Synthetic cannabinoids",
        &[
            "syntheticcannabinoids",
            "syntheticcannabinoid",
            "syntheticcannabinoidsakak2spice",
            "spice",
            "k2",
        ],
    ),
    s(
        "solvents",
        "Solvents",
        &["solvents", "solvent", "volatilesubstances"],
    ),
    s(
        "new psychoactive substances",
        "New psychoactive substances",
        &[
            "newpsychoactivesubstances",
            "newpsychoactivesubstance",
            "nps",
            "chemicalhighs",
            "legalhighs",
        ],
    ),
    s("other", "Other", &["other", "otherdrug", "otherdrugs"]),
    s("unknown", "Unknown", &["unknown", "notknown"]),
    s(
        "alcohol (unspecified)",
        "Alcohol (unspecified)",
        &["alcoholunspecified"],
    ),
    s("other (at risk)", "Other (at risk)", &["otheratrisk"]),
];

/// How many entries at the head of [`CONTROLLED`] are the ones `records.md` names; the rest are
/// the Gwent report's own categories. Breakdowns always list the first kind, in order, and the
/// second only when found in the data.
pub const IN_SPEC: usize = 19;

/// Index of `alcohol` in [`CONTROLLED`]: it may be listed, but not as rank 1.
pub const ALCOHOL: u16 = 6;
/// Index of `alcohol_unspecified` in [`CONTROLLED`] (alcohol too, for the rank-1 rule).
pub const ALCOHOL_UNSPECIFIED: u16 = 19;

/// The text reduced to what matching looks at: lower-case ASCII letters and digits.
pub fn match_key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The controlled substance a name stands for, as an index into [`CONTROLLED`]; `None` when the
/// name is not recognised (the extract then keeps it as written and warns).
pub fn normalise_substance(text: &str) -> Option<u16> {
    let key = match_key(text);
    if key.is_empty() {
        return None;
    }
    let label_key = |sub: &Substance| match_key(sub.label) == key || match_key(sub.key) == key;
    CONTROLLED
        .iter()
        .position(|sub| sub.synonyms.contains(&key.as_str()) || label_key(sub))
        .and_then(|i| u16::try_from(i).ok())
}

/// Whether a substance index is alcohol (either alcohol category).
pub fn is_alcohol(index: u16) -> bool {
    index == ALCOHOL || index == ALCOHOL_UNSPECIFIED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(text: &str) -> Option<&'static str> {
        normalise_substance(text).and_then(|i| CONTROLLED.get(usize::from(i)).map(|s| s.key))
    }

    #[test]
    fn every_gwent_spelling() {
        let gwent = [
            ("Heroin", "heroin"),
            ("Cocaine", "cocaine"),
            ("Unknown", "unknown"),
            ("Cannabis", "cannabis"),
            ("Amphetamines", "amphetamines"),
            ("Mephedrone", "mephedrone"),
            ("Crack", "crack"),
            ("Alcohol", "alcohol"),
            ("Subutex - Illicit", "buprenorphine (illicit)"),
            ("Benzodiazepines", "benzodiazepines"),
            ("Methadone - Script", "methadone (script)"),
            ("Chemical Highs", "new psychoactive substances"),
            ("Ketamine", "ketamine"),
            ("Other - At Risk", "other (at risk)"),
            ("Alcohol Unspecified", "alcohol (unspecified)"),
            ("Dihydro-codeine Illicit", "dihydrocodeine (illicit)"),
            ("Methadone Illicit", "methadone (illicit)"),
            ("Methamphetamine", "methamphetamine"),
            ("Solvents", "solvents"),
            (
                "Synthetic Cannabinoids (a.k.a. K2, Spice)",
                "synthetic cannabinoids",
            ),
        ];
        let mut distinct = std::collections::BTreeSet::new();
        for (spelling, key) in gwent {
            assert_eq!(key_of(spelling), Some(key), "{spelling}");
            assert_eq!(key_of(&spelling.to_uppercase()), Some(key), "{spelling}");
            assert_eq!(key_of(&spelling.to_lowercase()), Some(key), "{spelling}");
            assert_eq!(key_of(&format!("  {spelling}. ")), Some(key), "{spelling}");
            distinct.insert(key);
        }
        // The report's "Substances used: 20".
        assert_eq!(distinct.len(), 20);
    }

    #[test]
    fn the_spec_list_by_key_and_label() {
        for sub in CONTROLLED {
            assert_eq!(key_of(sub.key), Some(sub.key));
            assert_eq!(key_of(sub.label), Some(sub.key));
        }
        for (text, key) in [
            ("methadone (illicit)", "methadone (illicit)"),
            ("Methadone (script)", "methadone (script)"),
            ("buprenorphine (illicit)", "buprenorphine (illicit)"),
            ("dihydrocodeine (illicit)", "dihydrocodeine (illicit)"),
            ("new psychoactive substances", "new psychoactive substances"),
            ("synthetic cannabinoids", "synthetic cannabinoids"),
            ("Crack cocaine", "crack"),
        ] {
            assert_eq!(key_of(text), Some(key), "{text}");
        }
    }

    #[test]
    fn unrecognised_names_are_not_guessed() {
        for text in ["Pregabalin", "", " - ", "heroine and crack", "Methadone"] {
            assert_eq!(key_of(text), None, "{text}");
        }
        assert!(is_alcohol(ALCOHOL) && is_alcohol(ALCOHOL_UNSPECIFIED));
        assert_eq!(CONTROLLED[IN_SPEC - 1].key, "unknown");
        assert_eq!(CONTROLLED[usize::from(ALCOHOL)].key, "alcohol");
        assert_eq!(
            CONTROLLED[usize::from(ALCOHOL_UNSPECIFIED)].key,
            "alcohol (unspecified)"
        );
    }
}

//! ISO 3166-1 countries.

use serde::{Deserialize, Serialize};

/// ISO 3166-1 alpha-2, upper-case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG \
BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX \
CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN \
GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR \
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC \
TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT \
ZA ZM ZW";

/// Where a country stands in the SEPA schemes, after the EPC's "List of countries and
/// territories of the SEPA schemes" (EPC409-09, 2025: 41 countries). Outside the EEA the SDD
/// rulebook asks more of a debit: the debtor bank's BIC (AT-13) and the debtor's address (AT-09).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SepaScope {
    Eea,
    NonEea,
}

/// The EU 27 and Iceland, Liechtenstein, Norway, with the territories that are part of them
/// and have codes of their own (Åland; France's outermost regions).
const SEPA_EEA: &str = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO \
PL PT RO SE SI SK AX GF GP MQ RE YT MF";

/// The other countries and territories of the schemes: the UK with Gibraltar and the Crown
/// Dependencies, Switzerland, the micro-states, the French collectivities outside the EU, and
/// the enlargement countries (Albania, Montenegro 2024; Moldova, North Macedonia, Serbia 2025).
/// Faroe Islands and Greenland have IBANs but are outside SEPA.
const SEPA_NON_EEA: &str = "AD CH GB GG GI IM JE MC SM VA BL PM AL ME MD MK RS";

/// The SEPA standing of a country (an IBAN's first two letters), `None` outside the schemes.
pub fn sepa_scope(code: &str) -> Option<SepaScope> {
    let listed = |list: &str| list.split(' ').any(|c| c == code);
    if listed(SEPA_EEA) {
        Some(SepaScope::Eea)
    } else if listed(SEPA_NON_EEA) {
        Some(SepaScope::NonEea)
    } else {
        None
    }
}

impl CountryCode {
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_uppercase();
        (code.len() == 2 && ISO_COUNTRIES.split(' ').any(|c| c == code)).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CountryCode {
    fn default() -> Self {
        Self("DE".to_owned())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).ok_or_else(|| format!("'{raw}' is not an ISO 3166 country code"))
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_list_is_iso_3166() {
        assert_eq!(ISO_COUNTRIES.split(' ').count(), 249);
        assert!(CountryCode::parse("de").is_some());
        assert!(CountryCode::parse("XX").is_none());
        assert!(CountryCode::parse("DEU").is_none());
    }

    #[test]
    fn sepa_has_the_eea_and_a_listed_few_beyond_it() {
        let eea = SEPA_EEA.split(' ').count();
        assert_eq!(eea, 30 + 7, "EU 27, IS, LI, NO and 7 territories");
        for code in SEPA_EEA.split(' ').chain(SEPA_NON_EEA.split(' ')) {
            assert!(CountryCode::parse(code).is_some(), "{code}");
        }
        assert_eq!(sepa_scope("DE"), Some(SepaScope::Eea));
        assert_eq!(sepa_scope("CH"), Some(SepaScope::NonEea));
        assert_eq!(sepa_scope("GB"), Some(SepaScope::NonEea));
        for outside in ["TR", "BR", "SA", "AE", "IL", "KZ", "FO", "GL", "US", "de"] {
            assert_eq!(sepa_scope(outside), None, "{outside}");
        }
    }
}

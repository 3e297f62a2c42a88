//! What a donor is told about a value, in German or English.

use crate::ground::lang::Lang;
use crate::ground::money::Amount;

/// What a donor is told about one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    Required,
    ChoosePaymentMethod,
    /// Direct debit chosen, its mandate not granted.
    GrantMandate,
    EnterAmount,
    AcceptPrivacy,
    IbanNeededForSepa,
    /// A valid IBAN of a country outside the SEPA schemes: it cannot be debited.
    IbanOutsideSepa,
    /// An account outside the EEA (CH, GB, …): the rulebook wants its bank's BIC…
    BicNeededOutsideEea,
    /// …and the debtor's address.
    AddressNeededOutsideEea,
    AddressNeededForReceipt,
    Invalid,
    NotOffered,
    Fixed,
    TooLong(u32),
    InvalidName,
    InvalidEmail,
    InvalidPhone,
    InvalidIban,
    InvalidBic,
    InvalidPostCode,
    InvalidCountry,
    InvalidDate,
    BirthdayNotPast,
    AmountDecimals,
    /// A JSON number DynamoDB cannot hold exactly.
    NumberNotStorable,
    /// A value the form does not know, over 4 KB.
    ValueTooLarge,
    AmountBelow(Amount, String),
    AmountAbove(Amount, String),
}

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        let (de, en): (&str, &str) = match self {
            Self::Required => (
                "Bitte füllen Sie dieses Feld aus",
                "Please fill in this field",
            ),
            Self::ChoosePaymentMethod => (
                "Bitte wählen Sie eine Zahlungsweise",
                "Please choose a payment method",
            ),
            Self::GrantMandate => (
                "Bitte erteilen Sie das SEPA-Lastschriftmandat.",
                "Please grant the SEPA Direct Debit Mandate.",
            ),
            Self::EnterAmount => ("Bitte geben Sie einen Betrag ein", "Please enter an amount"),
            Self::AcceptPrivacy => (
                "Bitte stimmen Sie der Datenschutzerklärung zu",
                "Please accept the privacy policy",
            ),
            Self::IbanNeededForSepa => (
                "Für das Lastschriftverfahren benötigen wir Ihre IBAN",
                "Please enter your IBAN for the direct debit",
            ),
            Self::IbanOutsideSepa => (
                "Diese IBAN gehört zu einem Land außerhalb des SEPA-Raums; eine SEPA-Lastschrift \
                 ist damit nicht möglich",
                "This IBAN is from a country outside SEPA; it cannot be used for a SEPA direct \
                 debit",
            ),
            Self::BicNeededOutsideEea => (
                "Für eine Lastschrift von einem Konto außerhalb des EWR benötigen wir die BIC \
                 Ihrer Bank",
                "Please enter your bank's BIC for a direct debit from an account outside the EEA",
            ),
            Self::AddressNeededOutsideEea => (
                "Für eine Lastschrift von einem Konto außerhalb des EWR benötigen wir Ihre \
                 Anschrift",
                "Please enter your postal address for a direct debit from an account outside \
                 the EEA",
            ),
            Self::AddressNeededForReceipt => (
                "Für eine Zuwendungsbestätigung benötigen wir Ihre Anschrift",
                "Please enter your postal address for a donation receipt",
            ),
            Self::Invalid => ("Ungültig", "Invalid"),
            Self::NotOffered => (
                "Diese Auswahl ist bei diesem Formular nicht möglich",
                "This choice is not available on this form",
            ),
            Self::Fixed => (
                "Dieser Wert ist vorgegeben und kann nicht geändert werden",
                "This value is fixed and cannot be changed",
            ),
            Self::TooLong(max) => {
                return match lang {
                    Lang::De => format!("Bitte geben Sie höchstens {max} Zeichen ein"),
                    Lang::En => format!("Please enter at most {max} characters"),
                };
            }
            Self::InvalidName => (
                "Bitte geben Sie einen gültigen Namen ein",
                "Please enter a valid name",
            ),
            Self::InvalidEmail => (
                "Bitte geben Sie eine gültige E-Mail-Adresse ein",
                "Please enter a valid email address",
            ),
            Self::InvalidPhone => (
                "Bitte geben Sie eine gültige Telefonnummer ein",
                "Please enter a valid phone number",
            ),
            Self::InvalidIban => (
                "Bitte geben Sie eine gültige IBAN ein",
                "Please enter a valid IBAN",
            ),
            Self::InvalidBic => (
                "Bitte geben Sie eine gültige BIC ein",
                "Please enter a valid BIC",
            ),
            Self::InvalidPostCode => (
                "Bitte geben Sie eine gültige Postleitzahl ein",
                "Please enter a valid postal code",
            ),
            Self::InvalidCountry => (
                "Bitte wählen Sie ein gültiges Land",
                "Please choose a valid country",
            ),
            Self::InvalidDate => (
                "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)",
                "Please enter a valid date (YYYY-MM-DD)",
            ),
            Self::BirthdayNotPast => (
                "Das Geburtsdatum muss in der Vergangenheit liegen",
                "The date of birth must be in the past",
            ),
            Self::NumberNotStorable => (
                "Diese Zahl kann nicht genau gespeichert werden; bitte als Text senden \
                 (höchstens 15 gültige Stellen, Betrag zwischen 1e-130 und 1e126)",
                "This number cannot be stored exactly; please send it as text (at most 15 \
                 significant digits, magnitude between 1e-130 and 1e126)",
            ),
            Self::ValueTooLarge => (
                "Dieser Wert ist zu groß (höchstens 4 KB)",
                "This value is too large (at most 4 KB)",
            ),
            Self::AmountDecimals => (
                "Bitte geben Sie einen Betrag mit höchstens zwei Nachkommastellen ein",
                "Please enter an amount with at most two decimals",
            ),
            Self::AmountBelow(min, currency) => {
                let min = min.display(lang);
                return match lang {
                    Lang::De => format!("Der Mindestbetrag ist {min} {currency}"),
                    Lang::En => format!("The minimum amount is {min} {currency}"),
                };
            }
            Self::AmountAbove(max, currency) => {
                let max = max.display(lang);
                return match lang {
                    Lang::De => format!("Der Höchstbetrag ist {max} {currency}"),
                    Lang::En => format!("The maximum amount is {max} {currency}"),
                };
            }
        };
        match lang {
            Lang::De => de.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

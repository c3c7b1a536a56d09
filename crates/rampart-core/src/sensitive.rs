//! The kinds of sensitive data Rampart recognises, shared by the sensitive-data engine
//! (`rampart-sensitive`), the inventory and, later, masking at the gateway and alerts.

use serde::{Deserialize, Serialize};

/// A kind of sensitive data. The serde names (`card-number`, `sg-nric`, …) are stable: they
/// appear in the inventory, in JSON outputs and in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SensitiveType {
    // Payment and banking
    CardNumber,
    Iban,
    SwiftBic,
    BankAccount,
    // National identifiers of the region (and the US SSN, common in bank data)
    SgNric,
    InAadhaar,
    InPan,
    CnResidentId,
    HkHkid,
    TwNationalId,
    AuTfn,
    AuMedicare,
    JpMyNumber,
    KrRrn,
    MyMykad,
    IdNik,
    ThNationalId,
    UsSsn,
    // Contact and personal
    Phone,
    Email,
    IpAddress,
    DateOfBirth,
    PersonName,
    Address,
    // Secrets
    Jwt,
    BearerToken,
    PrivateKey,
    AwsAccessKey,
    AwsSecretKey,
    GcpApiKey,
    GcpServiceAccount,
    AzureSecret,
    Password,
    ApiKey,
    HighEntropySecret,
}

/// Broad families, for summaries and masking defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SensitiveCategory {
    Payment,
    NationalId,
    Personal,
    Secret,
}

impl SensitiveType {
    pub const ALL: [SensitiveType; 35] = [
        SensitiveType::CardNumber,
        SensitiveType::Iban,
        SensitiveType::SwiftBic,
        SensitiveType::BankAccount,
        SensitiveType::SgNric,
        SensitiveType::InAadhaar,
        SensitiveType::InPan,
        SensitiveType::CnResidentId,
        SensitiveType::HkHkid,
        SensitiveType::TwNationalId,
        SensitiveType::AuTfn,
        SensitiveType::AuMedicare,
        SensitiveType::JpMyNumber,
        SensitiveType::KrRrn,
        SensitiveType::MyMykad,
        SensitiveType::IdNik,
        SensitiveType::ThNationalId,
        SensitiveType::UsSsn,
        SensitiveType::Phone,
        SensitiveType::Email,
        SensitiveType::IpAddress,
        SensitiveType::DateOfBirth,
        SensitiveType::PersonName,
        SensitiveType::Address,
        SensitiveType::Jwt,
        SensitiveType::BearerToken,
        SensitiveType::PrivateKey,
        SensitiveType::AwsAccessKey,
        SensitiveType::AwsSecretKey,
        SensitiveType::GcpApiKey,
        SensitiveType::GcpServiceAccount,
        SensitiveType::AzureSecret,
        SensitiveType::Password,
        SensitiveType::ApiKey,
        SensitiveType::HighEntropySecret,
    ];

    pub fn category(self) -> SensitiveCategory {
        use SensitiveType::*;
        match self {
            CardNumber | Iban | SwiftBic | BankAccount => SensitiveCategory::Payment,
            SgNric | InAadhaar | InPan | CnResidentId | HkHkid | TwNationalId | AuTfn | AuMedicare
            | JpMyNumber | KrRrn | MyMykad | IdNik | ThNationalId | UsSsn => SensitiveCategory::NationalId,
            Phone | Email | IpAddress | DateOfBirth | PersonName | Address => SensitiveCategory::Personal,
            Jwt | BearerToken | PrivateKey | AwsAccessKey | AwsSecretKey | GcpApiKey | GcpServiceAccount
            | AzureSecret | Password | ApiKey | HighEntropySecret => SensitiveCategory::Secret,
        }
    }

    /// The stable name (`card-number`).
    pub fn name(self) -> &'static str {
        use SensitiveType::*;
        match self {
            CardNumber => "card-number",
            Iban => "iban",
            SwiftBic => "swift-bic",
            BankAccount => "bank-account",
            SgNric => "sg-nric",
            InAadhaar => "in-aadhaar",
            InPan => "in-pan",
            CnResidentId => "cn-resident-id",
            HkHkid => "hk-hkid",
            TwNationalId => "tw-national-id",
            AuTfn => "au-tfn",
            AuMedicare => "au-medicare",
            JpMyNumber => "jp-my-number",
            KrRrn => "kr-rrn",
            MyMykad => "my-mykad",
            IdNik => "id-nik",
            ThNationalId => "th-national-id",
            UsSsn => "us-ssn",
            Phone => "phone",
            Email => "email",
            IpAddress => "ip-address",
            DateOfBirth => "date-of-birth",
            PersonName => "person-name",
            Address => "address",
            Jwt => "jwt",
            BearerToken => "bearer-token",
            PrivateKey => "private-key",
            AwsAccessKey => "aws-access-key",
            AwsSecretKey => "aws-secret-key",
            GcpApiKey => "gcp-api-key",
            GcpServiceAccount => "gcp-service-account",
            AzureSecret => "azure-secret",
            Password => "password",
            ApiKey => "api-key",
            HighEntropySecret => "high-entropy-secret",
        }
    }
}

impl std::str::FromStr for SensitiveType {
    type Err = String;

    /// By stable name (`card-number`, `sg-nric`), as configs and flags spell it.
    fn from_str(name: &str) -> Result<SensitiveType, String> {
        SensitiveType::ALL
            .iter()
            .copied()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| format!("{name:?} is not a sensitive type (e.g. card-number, sg-nric, email)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_serde_form_and_all_lists_every_type_once() {
        let mut seen = std::collections::BTreeSet::new();
        for t in SensitiveType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::String(t.name().to_owned()));
            assert!(seen.insert(t), "{t:?} listed twice");
        }
    }

    #[test]
    fn types_parse_from_their_names() {
        for kind in SensitiveType::ALL {
            assert_eq!(kind.name().parse::<SensitiveType>(), Ok(kind));
        }
        assert!("credit-card".parse::<SensitiveType>().is_err());
    }
}

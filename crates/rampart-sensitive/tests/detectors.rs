//! Each detector on realistic values and their look-alikes, through the public API.

use rampart_core::SensitiveType::{self, *};
use rampart_sensitive::{Classifier, ClassifierConfig, Confidence, Location};

fn classifier() -> Classifier {
    Classifier::new(ClassifierConfig::default())
}

fn kinds(field: Option<&str>, value: &str) -> Vec<SensitiveType> {
    classifier().classify_value(field, value).into_iter().map(|(kind, _, _)| kind).collect()
}

fn confidence(field: Option<&str>, value: &str, kind: SensitiveType) -> Option<Confidence> {
    classifier().classify_value(field, value).into_iter().find(|d| d.0 == kind).map(|d| d.1)
}

#[test]
fn cards_with_separators_stand_alone_bare_ones_need_a_name() {
    assert_eq!(confidence(None, "4111 1111 1111 1111", CardNumber), Some(Confidence::High));
    assert_eq!(confidence(None, "5500-0000-0000-0004", CardNumber), Some(Confidence::High));
    assert_eq!(kinds(None, "4111111111111111"), vec![]);
    for name in ["cardNumber", "card_no", "CARD-NUMBER", "PrimaryAccountNumber", "pan"] {
        assert_eq!(confidence(Some(name), "4111111111111111", CardNumber), Some(Confidence::High), "{name}");
    }
    // Luhn fails: the name does not make it a card.
    assert_eq!(kinds(Some("cardNumber"), "4111111111111112"), vec![]);
    // An order number that happens to pass Luhn, under an order field.
    assert_eq!(kinds(Some("orderId"), "4111111111111111"), vec![]);
}

#[test]
fn bank_identifiers() {
    assert_eq!(kinds(None, "GB82 WEST 1234 5698 7654 32"), vec![Iban]);
    assert_eq!(kinds(None, "DE89370400440532013000"), vec![Iban]);
    assert_eq!(kinds(None, "DE89370400440532013001"), vec![]);
    assert_eq!(kinds(Some("swiftCode"), "DBSSSGSGXXX"), vec![SwiftBic]);
    assert_eq!(kinds(None, "CUSTOMER"), vec![]);
    assert_eq!(kinds(Some("accountNumber"), "123-456789-001"), vec![BankAccount]);
    assert_eq!(kinds(Some("status"), "123-456789-001"), vec![]);
}

#[test]
fn national_ids_with_distinctive_formats_stand_alone() {
    assert_eq!(kinds(None, "S1234567D"), vec![SgNric]);
    assert_eq!(kinds(None, "S1234567A"), vec![]);
    assert_eq!(kinds(None, "11010519491231002X"), vec![CnResidentId]);
    assert_eq!(kinds(None, "A123456(3)"), vec![HkHkid]);
    assert_eq!(kinds(None, "A123456789"), vec![TwNationalId]);
    assert_eq!(kinds(None, "ABCPE1234F"), vec![InPan]);
}

#[test]
fn weak_checksums_need_a_name_or_the_official_grouping() {
    // Aadhaar: Verhoeff passes for ~10% of random numbers.
    assert_eq!(kinds(None, "234567890124"), vec![]);
    for name in ["aadhaar", "aadhaarNumber", "AADHAAR_NO", "aadhar-number"] {
        assert_eq!(kinds(Some(name), "234567890124"), vec![InAadhaar], "{name}");
    }
    assert_eq!(kinds(Some("aadhaar"), "234567890125"), vec![]);
    assert_eq!(kinds(None, "123-45-6789"), vec![UsSsn]);
    assert_eq!(kinds(None, "123456789"), vec![]);
    assert_eq!(kinds(Some("ssn"), "123456789"), vec![UsSsn]);
    assert_eq!(kinds(Some("tfn"), "123456782"), vec![AuTfn]);
    assert_eq!(kinds(None, "123 456 782"), vec![AuTfn]);
    assert_eq!(kinds(None, "123456782"), vec![]);
}

#[test]
fn phones_international_alone_national_by_name() {
    assert_eq!(kinds(None, "+65 9123 4567"), vec![Phone]);
    assert_eq!(kinds(None, "+61 412 345 678"), vec![Phone]);
    assert_eq!(kinds(None, "+65 1123 4567"), vec![]);
    assert_eq!(kinds(None, "91234567"), vec![]);
    for name in ["mobile", "phoneNumber", "contact_no", "MobileNo", "no_hp"] {
        assert_eq!(kinds(Some(name), "9123 4567"), vec![Phone], "{name}");
    }
    assert_eq!(kinds(Some("mobile"), "090-1234-5678"), vec![Phone]);
    assert_eq!(kinds(Some("mobile"), "12345"), vec![]);
}

#[test]
fn contact_and_personal_fields() {
    assert_eq!(kinds(None, "jane.tan@example.com.sg"), vec![Email]);
    assert_eq!(kinds(None, "not an email@"), vec![]);
    assert_eq!(kinds(None, "203.0.113.42"), vec![IpAddress]);
    assert_eq!(kinds(None, "2001:db8::8a2e:370:7334"), vec![IpAddress]);
    assert_eq!(kinds(None, "999.1.1.1"), vec![]);
    assert_eq!(kinds(None, "10:30:00"), vec![]);
    assert_eq!(kinds(Some("dateOfBirth"), "1985-04-12"), vec![DateOfBirth]);
    assert_eq!(kinds(Some("tarikh_lahir"), "12/04/1985"), vec![DateOfBirth]);
    assert_eq!(kinds(Some("createdAt"), "1985-04-12"), vec![]);
    assert_eq!(kinds(Some("dob"), "2099-01-01"), vec![]);
    assert_eq!(kinds(Some("fullName"), "Tan Wei Ming"), vec![PersonName]);
    assert_eq!(kinds(Some("productName"), "Tan Wei Ming"), vec![]);
    assert_eq!(kinds(Some("homeAddress"), "10 Anson Road, Singapore 079903"), vec![Address]);
}

#[test]
fn secrets() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    assert_eq!(kinds(None, jwt), vec![Jwt]);
    assert_eq!(kinds(None, "Bearer 8f14e45fceea167a5a36dedd4bea2543"), vec![BearerToken]);
    assert_eq!(kinds(None, "AKIAIOSFODNN7EXAMPLE"), vec![AwsAccessKey]);
    assert_eq!(kinds(None, "AKIAIOSFODNN7EXAMPLEX"), vec![]);
    assert_eq!(
        kinds(None, "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        vec![AwsSecretKey]
    );
    assert_eq!(kinds(None, "key=AIzaSyA1234567890abcdefghijklmnopqrstuv"), vec![GcpApiKey]);
    assert_eq!(
        kinds(None, "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
        vec![PrivateKey]
    );
    let azure = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net";
    assert_eq!(kinds(None, azure), vec![AzureSecret]);
    assert_eq!(kinds(Some("password"), "S3cure!Pass"), vec![Password]);
    assert_eq!(kinds(Some("password"), "********"), vec![]);
    assert_eq!(kinds(Some("x-api-key"), "sk_live_51H8abcdEFGH1234ijkl"), vec![ApiKey]);
    assert_eq!(kinds(Some("token"), "aB3dE5gH7jK9mN1pQ3sT5vX7"), vec![HighEntropySecret]);
    assert_eq!(kinds(Some("token"), "aaaaaaaaaaaaaaaaaaaaaaaa"), vec![]);
}

#[test]
fn look_alikes_are_not_reported() {
    for value in [
        "ORD-2024-000123",
        "2024-03-15T10:22:33.123Z",
        "1710498153123",
        "550e8400-e29b-41d4-a716-446655440000",
        "1234567.89",
        "SGD 1,250,000.00",
        "v1.2.3",
        "ACTIVE",
    ] {
        assert_eq!(kinds(Some("value"), value), vec![], "{value}");
        assert_eq!(kinds(None, value), vec![], "{value}");
    }
}

#[test]
fn scan_json_reports_pointer_templates_and_masked_samples_only() {
    let body = br#"{"accounts":[{"owner":{"nric":"S1234567D","email":"jane@example.com"},"balance":1200.5},
        {"owner":{"nric":"T0123456G"}}],"card":{"cardNumber":"4111 1111 1111 1111"},
        "sa":{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"}}"#;
    let detections = classifier().scan_json(body).unwrap();
    let at = |pointer: &str| -> Vec<SensitiveType> {
        detections
            .iter()
            .filter(|d| d.location == Location::Body { pointer: pointer.to_owned() })
            .map(|d| d.kind)
            .collect()
    };
    // One detection per array element, all at the same template.
    assert_eq!(at("/accounts/*/owner/nric"), vec![SgNric, SgNric]);
    assert_eq!(at("/accounts/*/owner/email"), vec![Email]);
    assert_eq!(at("/card/cardNumber"), vec![CardNumber]);
    assert_eq!(at("/sa/private_key"), vec![PrivateKey]);
    assert_eq!(at("/sa"), vec![GcpServiceAccount]);
    let card = detections.iter().find(|d| d.kind == CardNumber).unwrap();
    assert_eq!(card.masked, "4111 11** **** 1111");
    assert_eq!(card.span, (0, 19));
    for d in &detections {
        assert!(!d.masked.contains("S1234567D") && !d.masked.contains("jane@"), "{d:?}");
    }
}

#[test]
fn scan_text_headers_and_query_parameters() {
    let text = "user jane@example.com paid with 4111-1111-1111-1111 from 203.0.113.9";
    let found: Vec<_> = classifier().scan_text(text).into_iter().map(|d| (d.kind, d.location)).collect();
    assert_eq!(
        found,
        vec![
            (Email, Location::Text { offset: 5 }),
            (CardNumber, Location::Text { offset: 32 }),
            (IpAddress, Location::Text { offset: 57 }),
        ]
    );
    let header = classifier().scan_header("Authorization", "Bearer 8f14e45fceea167a5a36dedd4bea2543");
    assert_eq!(header.len(), 1);
    assert_eq!(header[0].kind, BearerToken);
    assert_eq!(header[0].location, Location::Header { name: "Authorization".to_owned() });
    let query = classifier().scan_query("nric", "S1234567D");
    assert_eq!(query[0].location, Location::Query { name: "nric".to_owned() });
    assert_eq!(query[0].masked, "*****567D");
}

#[test]
fn disabled_types_and_thresholds_are_honoured() {
    let mut config = ClassifierConfig::default();
    config.disabled.insert(Email);
    let classifier = Classifier::new(config);
    assert!(classifier.classify_value(None, "jane@example.com").is_empty());
    let low =
        Classifier::new(ClassifierConfig { min_confidence: Confidence::Low, ..ClassifierConfig::default() });
    assert_eq!(low.classify_value(None, "4111111111111111"), vec![(CardNumber, Confidence::Low, (0, 16))]);
}

#[test]
fn classifier_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Classifier>();
}

#[test]
fn secrets_named_in_free_text_are_found_by_their_names() {
    let classifier = rampart_sensitive::Classifier::new(rampart_sensitive::ClassifierConfig::default());
    let log = "2026-11-29T10:00:00Z login user=mei password=hunter22! api_key: \"sk_live_9f8e7d6c5b4a39281706\" status=200 order_id=20261129";
    let found = classifier.scan_text(log);
    let kinds: Vec<_> = found.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&rampart_core::SensitiveType::Password), "{kinds:?}");
    assert!(kinds.contains(&rampart_core::SensitiveType::ApiKey), "{kinds:?}");
    for d in &found {
        assert!(!d.masked.contains("hunter22") && !d.masked.contains("9f8e7d6c5b4a"), "masked: {}", d.masked);
        let (start, end) = d.span;
        assert!(end <= log.len() && start < end);
    }
    let password = found.iter().find(|d| d.kind == rampart_core::SensitiveType::Password).unwrap();
    assert_eq!(&log[password.span.0..password.span.1], "hunter22!");
    assert!(!kinds.contains(&rampart_core::SensitiveType::CardNumber), "{kinds:?}");

    // Hostile: a megabyte of separators and names stays linear and finds nothing.
    let hostile = "password=:".repeat(100_000);
    let _ = classifier.scan_text(&hostile);
}

#[test]
fn many_named_secrets_in_one_text_stay_bounded() {
    let classifier = rampart_sensitive::Classifier::new(rampart_sensitive::ClassifierConfig::default());
    let log = "password=hunter22 ".repeat(200_000);
    let found = classifier.scan_text(&log);
    assert!(!found.is_empty() && found.len() <= 4096, "{}", found.len());
}

#[test]
fn hkid_with_a_dash_before_the_check_digit() {
    for value in ["A123456-3", "XA123456-8", "W954895-8", "H100723-A"] {
        assert_eq!(kinds(None, value), vec![HkHkid], "{value}");
        assert_eq!(kinds(Some("hkid"), value), vec![HkHkid], "{value}");
    }
    let found: Vec<_> = classifier()
        .scan_text("HKID W954895-8 copy received")
        .into_iter()
        .map(|d| (d.kind, d.span))
        .collect();
    assert_eq!(found, vec![(HkHkid, (5, 14))]);
    // The check digit must hold, and the dash only comes before it.
    for value in ["A123456-4", "XA123456-2", "A123456-78", "A12345-63", "ORD123456-3"] {
        assert_eq!(kinds(None, value), vec![], "{value}");
    }
}

#[test]
fn an_nric_in_parentheses_in_prose() {
    let text = "Called cust (T8935975E) re: card";
    let found: Vec<_> = classifier().scan_text(text).into_iter().map(|d| (d.kind, d.span)).collect();
    assert_eq!(found, vec![(SgNric, (13, 22))]);
    assert_eq!(kinds(Some("notes"), text), vec![SgNric]);
    // A wrong check letter stays quiet with or without the parentheses.
    assert_eq!(kinds(Some("notes"), "Called cust (T8935975F) re: card"), vec![]);
}

#[test]
fn north_american_phone_numbers() {
    for value in ["+1 201-555-0123", "+12015550123", "+1 (416) 555-0199", "+1 226-221-4039"] {
        assert_eq!(kinds(None, value), vec![Phone], "{value}");
        assert_eq!(kinds(Some("phone"), value), vec![Phone], "{value}");
    }
    for value in ["(201) 555-0123", "201-555-0123", "2015550123", "12015550123", "(204) 857-4235"] {
        assert_eq!(kinds(Some("phone"), value), vec![Phone], "{value}");
        assert_eq!(kinds(None, value), vec![], "{value}");
    }
    // Exchange or area code starting 0/1, N11 codes, toll-free, unassigned, wrong length.
    for value in [
        "+1 201-055-0123",
        "+1 101-555-0123",
        "+1 911-555-0123",
        "+1 800-555-0123",
        "+1 370-555-0123",
        "+1 201-555-012",
    ] {
        assert_eq!(kinds(None, value), vec![], "{value}");
        assert_eq!(kinds(Some("phone"), value), vec![], "{value}");
    }
    for value in ["(201) 055-0123", "201-155-0123", "(800) 555-0123", "20155501234"] {
        assert_eq!(kinds(Some("phone"), value), vec![], "{value}");
    }
    // Amounts, timestamps and order numbers under other names stay quiet.
    for (name, value) in [("orderId", "2015550123"), ("createdAt", "1710498153"), ("amount", "2015550123")] {
        assert_eq!(kinds(Some(name), value), vec![], "{name}={value}");
    }
}

#[test]
fn dates_of_birth_day_first_compact_and_with_month_names() {
    for value in
        ["31121990", "15091989", "05-Mar-1990", "5 March 1990", "17 OCT 1985", "1990年3月5日", "19650110"]
    {
        assert_eq!(kinds(Some("dob"), value), vec![DateOfBirth], "{value}");
    }
    // Not a past calendar date either way round.
    for value in ["31131990", "12345678", "99999999", "32011990", "01012999", "31 Foo 1990", "30-Feb-1990"] {
        assert_eq!(kinds(Some("dob"), value), vec![], "{value}");
    }
}

#[test]
fn emails_and_single_words_under_address_names_are_not_addresses() {
    for (name, value) in [("mail_address", "zkondo@example.com"), ("address", "xtucker@example.com")] {
        let found = kinds(Some(name), value);
        assert!(!found.contains(&Address), "{name}={value}: {found:?}");
        assert!(found.contains(&Email), "{name}={value}: {found:?}");
    }
    for value in ["simple", "residential", "HOME", "Mailing"] {
        assert_eq!(kinds(Some("homeAddress"), value), vec![], "{value}");
    }
    for value in
        ["東京都千代田区丸の内1-1-1", "北京市朝阳区建国路88号", "10 Anson Road", "Flat 37Y\nKirsty Extension"]
    {
        assert_eq!(kinds(Some("homeAddress"), value), vec![Address], "{value}");
    }
}

#[test]
fn a_keyword_before_a_number_in_free_text() {
    let found = |text: &str| -> Vec<(SensitiveType, String)> {
        classifier()
            .scan_text(text)
            .into_iter()
            .map(|d| (d.kind, text[d.span.0..d.span.1].to_owned()))
            .collect()
    };
    for (text, kind, number) in [
        ("Customer disputed charge on card 5500005555555559 yesterday", CardNumber, "5500005555555559"),
        ("card no: 6011000990139424 reported lost", CardNumber, "6011000990139424"),
        ("card no: 8200 0993 6237 0218 reported lost", CardNumber, "8200 0993 6237 0218"),
        ("Aadhaar 658073021578 seeded with bank account", InAadhaar, "658073021578"),
        ("TFN 123 456 782 lodged", AuTfn, "123 456 782"),
        ("Walk-in: NRIC S2347273B, contact 8036 4776, wants limit increase", Phone, "8036 4776"),
    ] {
        assert!(found(text).contains(&(kind, number.to_owned())), "{text}: {:?}", found(text));
    }
    // Random 12- and 16-digit numbers in prose without such a word stay unreported.
    for text in [
        "Order 658073021578 shipped on 2024-03-05, tracking 568193036428",
        "ref 5500005555555559 settled",
        "batch 821299722003 closed at 1710498153",
        "card ending 5559, order 658073021578",
    ] {
        assert_eq!(found(text), vec![], "{text}");
    }
}

#[test]
fn fuel_and_loyalty_card_numbers_are_not_payment_cards() {
    // Luhn-valid, MII 7 (petroleum) and 9 (national assignment): not payment cards.
    for value in ["7016554517453638", "9227195492032863"] {
        assert_eq!(kinds(Some("cardNumber"), value), vec![], "{value}");
    }
    // An unbranded Luhn-valid number in a payment range (Maestro 67) still counts under the name.
    assert_eq!(kinds(Some("cardNumber"), "6759649826438453"), vec![CardNumber]);
}

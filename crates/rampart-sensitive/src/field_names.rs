//! What a field's name says about its value.
//!
//! Names are normalised first — `cardNumber`, `card_number`, `card-number`, `CardNumber` and
//! `CARD_NUMBER` all become `card_number` — then matched against a vocabulary of English names
//! and a few local ones (Malay `no_kp`, Indonesian `nomor_ktp`, pinyin `shenfenzheng` / `sfzh`,
//! Japanese `kojin_bango`, Korean `jumin`). Short names (`pan`, `dob`, `tfn`) must be whole words
//! of the name, so `company` is not a PAN; long ones may also appear glued (`cardnumber`).
//!
//! A name never proves a checksummed type: for those it only lifts the confidence of a value
//! that validates. It *decides* the types that have no checksum (person name, address,
//! password, API key, bank account, date of birth).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rampart_core::SensitiveType;

/// How firmly a name points at a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strength {
    /// Suggestive but shared with other things (`id_number`, `account`, `mobile`).
    Weak,
    /// Names the type itself (`nric`, `card_number`, `aadhaar`).
    Strong,
}

/// What a name says: a type, or that the field is one of the look-alike kinds (order numbers,
/// timestamps, amounts) whose values lower the confidence of a numeric match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameHint {
    Type(SensitiveType, Strength),
    /// Any national ID (`national_id`, `id_number`, `identity_no`).
    NationalId(Strength),
    /// `order_id`, `timestamp`, `amount`…: digits here are not personal data.
    NotSensitive,
}

/// The type a field name points at, if any. Normalises camelCase / snake_case / kebab-case /
/// PascalCase first.
pub fn hint(field_name: &str) -> Option<(SensitiveType, Strength)> {
    match name_hint(field_name)? {
        NameHint::Type(kind, strength) => Some((kind, strength)),
        NameHint::NationalId(_) | NameHint::NotSensitive => None,
    }
}

/// Names longer than this are not field names (a key holding a sentence); skip them.
const MAX_NAME_LEN: usize = 96;

pub(crate) fn name_hint(field_name: &str) -> Option<NameHint> {
    if field_name.is_empty() || field_name.len() > MAX_NAME_LEN {
        return None;
    }
    let mut buffer = [0u8; MAX_NAME_LEN * 2];
    let normalised = normalise_into(field_name, &mut buffer);
    let mut expanded_buffer = [0u8; MAX_NAME_LEN * 4];
    let expanded = expand_into(normalised, &mut expanded_buffer);
    hint_of_words(normalised, expanded)
}

/// The hint of a normalised name, read as written and with its abbreviations spelt out (`no_kp`
/// is Malay as written; `cust_nm` says `customer_name` once expanded): the better match wins.
fn hint_of_words(normalised: &[u8], expanded: &[u8]) -> Option<NameHint> {
    let best = [best_match(normalised), best_match(expanded)]
        .into_iter()
        .flatten()
        .max_by_key(|(score, _)| *score)
        .map(|(_, hint)| hint);
    let last_word = expanded.rsplit(|&b| b == b'_').next().unwrap_or_default();
    match best {
        // `tokenRef`, `cardType`, `addressUType`, `phoneVerified`, `apiKeyId`: about the thing,
        // not the thing.
        Some(NameHint::Type(kind, _)) if is_about_word(last_word, kind) => Some(NameHint::NotSensitive),
        // `customerId`, `kokyakuId`, `deviceId`: a record's id, whose digits are not personal data.
        None if last_word == b"id" && expanded.len() > 3 => Some(NameHint::NotSensitive),
        other => other,
    }
}

/// Last words that make a name about a sensitive thing rather than hold it.
fn is_about_word(last_word: &[u8], kind: SensitiveType) -> bool {
    const ABOUT: &[&[u8]] = &[
        b"ref",
        b"reference",
        b"type",
        b"status",
        b"count",
        b"expiry",
        b"url",
        b"uri",
        b"format",
        b"length",
        b"verified",
        b"policy",
        b"scheme",
        b"mask",
        b"masked",
        b"last4",
        b"suffix",
        b"prefix",
        // `passwordHashAlgorithm`, `passwordHint`, `passwordChangedAt`, `pinRequired`: facts
        // about a credential, not the credential.
        b"algorithm",
        b"algo",
        b"hint",
        b"changed",
        b"updated",
        b"strength",
        b"required",
        b"at",
    ];
    // `email_id` is an email address in Indian APIs; a national ID's `id` is the ID itself.
    let id_is_record =
        kind != SensitiveType::Email && kind.category() != rampart_core::SensitiveCategory::NationalId;
    ABOUT.contains(&last_word) || (last_word == b"id" && id_is_record)
}

fn best_match(normalised: &[u8]) -> Option<(usize, NameHint)> {
    let matcher = vocabulary().matcher.as_ref()?;
    let mut best: Option<(usize, NameHint)> = None;
    for found in matcher.find_overlapping_iter(normalised) {
        let (pattern, hint) = &VOCABULARY[found.pattern().as_usize()];
        let (start, end) = (found.start(), found.end());
        let whole_word = (start == 0 || normalised[start - 1] == b'_')
            && (end == normalised.len() || normalised[end] == b'_');
        // Short words and multi-word names only count as whole words; long single words may
        // be glued to others (`customercardnumber`).
        if !whole_word && (pattern.len() < 6 || pattern.contains('_')) {
            continue;
        }
        // The longest match wins: `email_address` is an email, `ip_address` an IP.
        let score = pattern.len() * 2 + usize::from(whole_word);
        if best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, *hint));
        }
    }
    best
}

/// Abbreviations of names, spelt out: core-banking extracts and mobile APIs shorten every word
/// (`CUST_NM`, `BRTH_DT`, `socSecNo`, `mobNum`, `acctNo`).
const ABBREVIATIONS: &[(&[u8], &[u8])] = &[
    (b"nm", b"name"),
    (b"nme", b"name"),
    (b"dt", b"date"),
    (b"dte", b"date"),
    (b"brth", b"birth"),
    (b"bth", b"birth"),
    (b"tgl", b"tanggal"),
    (b"addr", b"address"),
    (b"adr", b"address"),
    (b"no", b"number"),
    (b"num", b"number"),
    (b"nbr", b"number"),
    (b"nr", b"number"),
    (b"nmbr", b"number"),
    (b"acct", b"account"),
    (b"acc", b"account"),
    (b"accnt", b"account"),
    (b"mob", b"mobile"),
    (b"mobileno", b"mobile"),
    (b"ph", b"phone"),
    (b"phn", b"phone"),
    (b"soc", b"social"),
    (b"sec", b"security"),
    (b"reg", b"registration"),
    (b"res", b"resident"),
    (b"cust", b"customer"),
    (b"bday", b"birthday"),
    (b"pwd", b"password"),
    (b"pw", b"password"),
];

/// [`ABBREVIATIONS`] applied word by word to a normalised name; a lone `u` before `type` (the
/// CDR's `addressUType`) is dropped.
fn expand_into<'a>(normalised: &[u8], buffer: &'a mut [u8; MAX_NAME_LEN * 4]) -> &'a [u8] {
    let mut len = 0;
    let mut words = normalised.split(|&b| b == b'_').peekable();
    while let Some(word) = words.next() {
        if word == b"u" && words.peek() == Some(&&b"type"[..]) {
            continue;
        }
        let word = ABBREVIATIONS.iter().find(|(short, _)| *short == word).map_or(word, |(_, long)| *long);
        if len + word.len() + 1 > buffer.len() {
            break;
        }
        if len > 0 {
            buffer[len] = b'_';
            len += 1;
        }
        buffer[len..len + word.len()].copy_from_slice(word);
        len += word.len();
    }
    &buffer[..len]
}

/// What a key does for its siblings and its elements, besides its own hint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum KeyRole {
    #[default]
    Plain,
    /// `type`, `idType`, `documentType`, `docType`, `kind`, `category`, `scheme`: its value
    /// may name what the object's generic members hold (`{"type": "AADHAAR", "value": …}`).
    TypeOf,
    /// `value`, `number`, `no`, `data` (and `documentNumber`, `idNo`): says little by itself,
    /// so a sibling type or the enclosing list speaks for it.
    Generic,
    /// `id`, `identifier`: a sibling type speaks for it (`{"type": "NRIC", "id": …}`), the
    /// enclosing list does not — `cards[*].id` is the card record's id, not its number.
    RecordId,
}

/// Everything a key says, read once per key and remembered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyInfo {
    pub hint: Option<NameHint>,
    pub role: KeyRole,
    /// What the key says about the elements of a list it holds (`cards` → card, `phones` →
    /// phone, `documents` → some national ID), never more than [`Strength::Weak`]: a list's
    /// name describes its records, not each member of them.
    pub as_list: Option<NameHint>,
    /// The key names a person or a party to a payment (`customer`, `holder`, `debtor`,
    /// `billing_details`): a bare `name` under it is a person's name.
    pub personal: bool,
    /// The key is a bare `name` (or `names`, `nm`): a person's name only under a personal key
    /// or beside personal data.
    pub bare_name: bool,
}

/// Reads a key: its hint, its role among its siblings, and what it says as a list's name.
pub(crate) fn key_info(key: &str) -> KeyInfo {
    if key.is_empty() || key.len() > MAX_NAME_LEN {
        return KeyInfo::default();
    }
    let mut buffer = [0u8; MAX_NAME_LEN * 2];
    let normalised = normalise_into(key, &mut buffer);
    let mut expanded_buffer = [0u8; MAX_NAME_LEN * 4];
    let expanded = expand_into(normalised, &mut expanded_buffer);
    let hint = hint_of_words(normalised, expanded);
    let ends_with_word = |words: &[&[u8]]| {
        words.iter().any(|word| {
            expanded == *word || expanded.strip_suffix(*word).is_some_and(|rest| rest.ends_with(b"_"))
        })
    };
    let role = if TYPE_KEYS.contains(&expanded) || ends_with_word(TYPE_KEYS) {
        KeyRole::TypeOf
    } else if RECORD_ID_KEYS.contains(&expanded) {
        KeyRole::RecordId
    } else if GENERIC_KEYS.contains(&expanded) || GENERIC_KEYS.contains(&normalised) {
        KeyRole::Generic
    } else {
        KeyRole::Plain
    };
    let personal =
        ends_with_word(PERSONAL_WORDS) || matches!(hint, Some(NameHint::Type(SensitiveType::PersonName, _)));
    let bare_name = matches!(expanded, b"name" | b"names");
    KeyInfo { hint, role, as_list: list_hint(key, hint, normalised).map(weakened), personal, bare_name }
}

/// What a type value or a list's name says about the members it describes: `AADHAAR`,
/// `MOBILE`, `national_id` as they are (a type value names the kind as firmly as a field name
/// does); plurals (`cards`, `Phones`) and document lists (`idDocuments`, `identifiers`) weakly.
pub(crate) fn context_hint(info: KeyInfo) -> Option<NameHint> {
    match info.hint {
        Some(hint @ (NameHint::Type(..) | NameHint::NationalId(_))) => Some(hint),
        _ => info.as_list,
    }
}

/// Keys whose value names a kind: the whole key, or its last word (`id_type`, `document_type`).
const TYPE_KEYS: &[&[u8]] = &[b"type", b"kind", b"category", b"scheme", b"scheme_name"];

/// Keys (or their last words) naming a person or a party: a bare `name` under them is a
/// person's name.
const PERSONAL_WORDS: &[&[u8]] = &[
    b"customer",
    b"holder",
    b"owner",
    b"owners",
    b"party",
    b"parties",
    b"payer",
    b"payee",
    b"beneficiary",
    b"creditor",
    b"debtor",
    b"applicant",
    b"person",
    b"individual",
    b"member",
    b"cardholder",
    b"billing_details",
    b"shipping",
    b"contact",
    b"profile",
    b"employee",
    b"director",
    b"signatory",
    b"nominee",
    b"guarantor",
    b"borrower",
    b"insured",
    b"recipient",
    b"sender",
    b"remitter",
    b"kyc",
    b"identity",
    b"subject",
    b"client",
];

/// Keys that say nothing of their own value.
const GENERIC_KEYS: &[&[u8]] = &[
    b"value",
    b"full_number",
    b"identification",
    b"proof_number",
    b"id_value",
    b"doc_value",
    b"number",
    b"num",
    b"no",
    b"nr",
    b"data",
    b"document_number",
    b"document_no",
    b"doc_number",
    b"doc_no",
    b"id_number",
    b"id_no",
    b"id_value",
];

/// Keys that name a record rather than hold its number.
const RECORD_ID_KEYS: &[&[u8]] = &[b"id", b"identifier"];

/// Last words of list names that hold identity documents (`documents`, `idDocuments`,
/// `identifiers`). Such a list says its records hold *some* ID, not which: a bare number in it
/// would be read as whichever weak checksum it happens to pass (one random number in ten passes
/// a TFN's or a My Number's), so it gives no hint; a type member in each record does, and
/// IDs with a format of their own (NRIC, HKID) are found by their format.
const DOCUMENT_LIST_WORDS: &[&[u8]] = &[b"documents", b"identifiers", b"identifications", b"identities"];

fn list_hint(key: &str, hint: Option<NameHint>, normalised: &[u8]) -> Option<NameHint> {
    if let Some(hint @ (NameHint::Type(..) | NameHint::NationalId(_))) = hint {
        return Some(hint);
    }
    let last_word = normalised.rsplit(|&b| b == b'_').next().unwrap_or_default();
    if DOCUMENT_LIST_WORDS.contains(&last_word) {
        return None;
    }
    // Plurals: the vocabulary holds singular names, and short ones only match whole words.
    let singular = key.strip_suffix(['s', 'S'])?;
    match name_hint(singular) {
        Some(hint @ (NameHint::Type(..) | NameHint::NationalId(_))) => Some(hint),
        _ => None,
    }
}

fn weakened(hint: NameHint) -> NameHint {
    match hint {
        NameHint::Type(kind, _) => NameHint::Type(kind, Strength::Weak),
        NameHint::NationalId(_) => NameHint::NationalId(Strength::Weak),
        NameHint::NotSensitive => NameHint::NotSensitive,
    }
}

/// Lower-cases and splits words with `_`: `customerNRICNumber` → `customer_nric_number`.
fn normalise_into<'a>(name: &str, buffer: &'a mut [u8; MAX_NAME_LEN * 2]) -> &'a [u8] {
    let bytes = name.as_bytes();
    let mut len = 0;
    fn push(buffer: &mut [u8], b: u8, len: &mut usize) {
        if *len < buffer.len() {
            buffer[*len] = b;
            *len += 1;
        }
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            let previous = if i > 0 { bytes[i - 1] } else { b'_' };
            let next = bytes.get(i + 1).copied().unwrap_or(b'_');
            // `line1`, `ADDR_LINE1`: a number after a word is a word of its own.
            let boundary = (b.is_ascii_uppercase()
                && (previous.is_ascii_lowercase()
                    || previous.is_ascii_digit()
                    || (previous.is_ascii_uppercase() && next.is_ascii_lowercase())))
                || (b.is_ascii_digit() && previous.is_ascii_alphabetic());
            if boundary && len > 0 && buffer[len - 1] != b'_' {
                push(buffer, b'_', &mut len);
            }
            push(buffer, b.to_ascii_lowercase(), &mut len);
        } else if len > 0 && buffer[len - 1] != b'_' {
            push(buffer, b'_', &mut len);
        }
    }
    while len > 0 && buffer[len - 1] == b'_' {
        len -= 1;
    }
    &buffer[..len]
}

struct Vocabulary {
    /// `None` only if the constant vocabulary failed to compile: no hints rather than a panic.
    matcher: Option<AhoCorasick>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCAB: OnceLock<Vocabulary> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let matcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(VOCABULARY.iter().map(|(pattern, _)| *pattern))
            .ok();
        Vocabulary { matcher }
    })
}

use NameHint::{NationalId, NotSensitive, Type};
use SensitiveType::*;
use Strength::{Strong, Weak};

/// Normalised names (words joined by `_`). Patterns of 6 characters or more also match glued
/// (`cardnumber`), so the glued spelling of short multi-word names is listed too.
static VOCABULARY: &[(&str, NameHint)] = &[
    // Payment
    ("card_number", Type(CardNumber, Strong)),
    ("cardnumber", Type(CardNumber, Strong)),
    ("card_no", Type(CardNumber, Strong)),
    ("cardno", Type(CardNumber, Strong)),
    ("card_num", Type(CardNumber, Strong)),
    ("cardnum", Type(CardNumber, Strong)),
    ("pan", Type(CardNumber, Strong)),
    ("primary_account_number", Type(CardNumber, Strong)),
    ("credit_card", Type(CardNumber, Strong)),
    ("creditcard", Type(CardNumber, Strong)),
    ("debit_card", Type(CardNumber, Strong)),
    ("cc_number", Type(CardNumber, Strong)),
    ("ccnumber", Type(CardNumber, Strong)),
    ("card", Type(CardNumber, Weak)),
    ("no_kad", Type(CardNumber, Weak)),
    ("nomor_kartu", Type(CardNumber, Strong)),
    ("iban", Type(Iban, Strong)),
    ("swift", Type(SwiftBic, Strong)),
    ("bic", Type(SwiftBic, Strong)),
    ("swift_code", Type(SwiftBic, Strong)),
    ("bic_code", Type(SwiftBic, Strong)),
    ("account_number", Type(BankAccount, Strong)),
    ("accountnumber", Type(BankAccount, Strong)),
    ("account_no", Type(BankAccount, Strong)),
    ("accountno", Type(BankAccount, Strong)),
    ("acct_no", Type(BankAccount, Strong)),
    ("acct_num", Type(BankAccount, Strong)),
    ("acc_no", Type(BankAccount, Strong)),
    ("bank_account", Type(BankAccount, Strong)),
    ("bankaccount", Type(BankAccount, Strong)),
    ("no_akaun", Type(BankAccount, Strong)),
    ("nomor_rekening", Type(BankAccount, Strong)),
    ("no_rekening", Type(BankAccount, Strong)),
    ("rekening", Type(BankAccount, Strong)),
    ("zhanghao", Type(BankAccount, Weak)),
    ("koza", Type(BankAccount, Strong)),
    ("kouza", Type(BankAccount, Strong)),
    ("koza_bango", Type(BankAccount, Strong)),
    ("kouza_bangou", Type(BankAccount, Strong)),
    ("norek", Type(BankAccount, Strong)),
    ("no_rek", Type(BankAccount, Strong)),
    // Plaid's `numbers.ach[].account`, a bare account in payment instructions.
    ("account", Type(BankAccount, Weak)),
    ("creditor_agent", Type(SwiftBic, Strong)),
    ("debtor_agent", Type(SwiftBic, Strong)),
    ("instructing_agent", Type(SwiftBic, Strong)),
    ("instructed_agent", Type(SwiftBic, Strong)),
    ("intermediary_agent", Type(SwiftBic, Strong)),
    ("bicfi", Type(SwiftBic, Strong)),
    ("fpan", Type(CardNumber, Strong)),
    ("dpan", Type(CardNumber, Strong)),
    ("funding_pan", Type(CardNumber, Strong)),
    ("device_pan", Type(CardNumber, Strong)),
    // National IDs
    // Singapore's NRIC, but Malaysians call the MyKad their NRIC too: any national ID, firmly.
    // An NRIC-shaped value still reads as one (its letter format is Singapore's alone).
    ("nric", NationalId(Strong)),
    ("uinfin", Type(SgNric, Strong)),
    ("nric_fin", Type(SgNric, Strong)),
    ("fin_number", Type(SgNric, Strong)),
    ("aadhaar", Type(InAadhaar, Strong)),
    ("aadhar", Type(InAadhaar, Strong)),
    ("uid_number", Type(InAadhaar, Weak)),
    // UIDAI's own short name; weak, as elsewhere `uid` is a user id.
    ("uid", Type(InAadhaar, Weak)),
    ("uidai", Type(InAadhaar, Strong)),
    ("pan_number", Type(InPan, Strong)),
    ("pan_no", Type(InPan, Strong)),
    ("pan_card", Type(InPan, Strong)),
    ("pancard", Type(InPan, Strong)),
    ("permanent_account_number", Type(InPan, Strong)),
    ("resident_id", Type(CnResidentId, Strong)),
    ("resident_identity", Type(CnResidentId, Strong)),
    ("shenfenzheng", Type(CnResidentId, Strong)),
    ("shenfenzhenghao", Type(CnResidentId, Strong)),
    ("sfzh", Type(CnResidentId, Strong)),
    ("sfz", Type(CnResidentId, Strong)),
    ("id_card", NationalId(Strong)),
    ("idcard", NationalId(Strong)),
    // Longer than `card_number`, so an identity card's number is not read as a payment card.
    ("id_card_number", NationalId(Strong)),
    ("idcardnumber", NationalId(Strong)),
    ("id_card_no", NationalId(Strong)),
    ("idcardno", NationalId(Strong)),
    ("hkid", Type(HkHkid, Strong)),
    ("hk_id", Type(HkHkid, Strong)),
    ("hkic", Type(HkHkid, Strong)),
    ("tw_id", Type(TwNationalId, Strong)),
    ("twid", Type(TwNationalId, Strong)),
    ("shenfen", Type(TwNationalId, Weak)),
    ("roc_id", Type(TwNationalId, Strong)),
    ("cn_ric", Type(CnResidentId, Strong)),
    ("kojin", Type(JpMyNumber, Strong)),
    // Longer than `card_number`: the My Number card's number is not a payment card.
    ("my_number_card", Type(JpMyNumber, Strong)),
    ("mynumber_card", Type(JpMyNumber, Strong)),
    ("bat_pracha_chon", Type(ThNationalId, Strong)),
    ("cert_number", NationalId(Weak)),
    ("certificate_number", NationalId(Weak)),
    ("tfn", Type(AuTfn, Strong)),
    ("tax_file_number", Type(AuTfn, Strong)),
    ("taxfilenumber", Type(AuTfn, Strong)),
    ("medicare", Type(AuMedicare, Strong)),
    ("medicare_number", Type(AuMedicare, Strong)),
    // Longer than `card_number`: a Medicare card's number is not a payment card.
    ("medicare_card", Type(AuMedicare, Strong)),
    ("medicare_card_number", Type(AuMedicare, Strong)),
    ("medicarecardnumber", Type(AuMedicare, Strong)),
    ("my_number", Type(JpMyNumber, Strong)),
    ("mynumber", Type(JpMyNumber, Strong)),
    ("kojin_bango", Type(JpMyNumber, Strong)),
    ("kojinbango", Type(JpMyNumber, Strong)),
    ("individual_number", Type(JpMyNumber, Strong)),
    ("rrn", Type(KrRrn, Strong)),
    ("resident_registration", Type(KrRrn, Strong)),
    ("jumin", Type(KrRrn, Strong)),
    ("jumin_number", Type(KrRrn, Strong)),
    ("jumindeungnok", Type(KrRrn, Strong)),
    ("mykad", Type(MyMykad, Strong)),
    ("my_kad", Type(MyMykad, Strong)),
    ("ic_number", Type(MyMykad, Weak)),
    ("ic_no", Type(MyMykad, Weak)),
    ("icno", Type(MyMykad, Weak)),
    ("no_kp", Type(MyMykad, Strong)),
    ("nokp", Type(MyMykad, Strong)),
    ("kad_pengenalan", Type(MyMykad, Strong)),
    ("nik", Type(IdNik, Strong)),
    ("nomor_ktp", Type(IdNik, Strong)),
    ("no_ktp", Type(IdNik, Strong)),
    ("ktp", Type(IdNik, Strong)),
    ("nomor_induk", Type(IdNik, Strong)),
    ("thai_id", Type(ThNationalId, Strong)),
    ("thaiid", Type(ThNationalId, Strong)),
    ("citizen_id", Type(ThNationalId, Weak)),
    ("bat_prachachon", Type(ThNationalId, Strong)),
    ("ssn", Type(UsSsn, Strong)),
    // The IRS's Taxpayer Identification Number (an SSN, EIN or ITIN); other countries' TINs
    // are other formats, so weak.
    ("tin", Type(UsSsn, Weak)),
    ("social_security", Type(UsSsn, Strong)),
    ("socialsecurity", Type(UsSsn, Strong)),
    ("national_id", NationalId(Strong)),
    ("nationalid", NationalId(Strong)),
    ("national_identity", NationalId(Strong)),
    ("id_number", NationalId(Weak)),
    ("idnumber", NationalId(Weak)),
    ("id_no", NationalId(Weak)),
    ("identity_number", NationalId(Strong)),
    ("identity_no", NationalId(Strong)),
    ("identification_number", NationalId(Strong)),
    ("document_number", NationalId(Weak)),
    // An individual's tax number is a national ID of its country (a TFN, an SSN as US TIN…):
    // firm enough that a 9-digit value under it is one, whichever validates.
    ("tax_id", NationalId(Strong)),
    ("taxid", NationalId(Strong)),
    // Contact and personal
    ("phone", Type(Phone, Strong)),
    ("mobile", Type(Phone, Strong)),
    ("telephone", Type(Phone, Strong)),
    ("tel", Type(Phone, Strong)),
    ("msisdn", Type(Phone, Strong)),
    ("cell", Type(Phone, Weak)),
    ("handphone", Type(Phone, Strong)),
    ("hp", Type(Phone, Weak)),
    ("no_hp", Type(Phone, Strong)),
    ("no_telefon", Type(Phone, Strong)),
    ("nomor_telepon", Type(Phone, Strong)),
    ("shouji", Type(Phone, Strong)),
    ("dianhua", Type(Phone, Strong)),
    ("denwa", Type(Phone, Strong)),
    ("keitai", Type(Phone, Strong)),
    ("dien_thoai", Type(Phone, Strong)),
    ("jeonhwa", Type(Phone, Strong)),
    ("phone_number", Type(Phone, Strong)),
    ("contact_number", Type(Phone, Strong)),
    ("contact_no", Type(Phone, Strong)),
    ("email", Type(Email, Strong)),
    ("e_mail", Type(Email, Strong)),
    ("mail", Type(Email, Weak)),
    ("email_address", Type(Email, Strong)),
    ("ip", Type(IpAddress, Weak)),
    ("ip_address", Type(IpAddress, Strong)),
    ("ipaddress", Type(IpAddress, Strong)),
    ("client_ip", Type(IpAddress, Strong)),
    ("remote_addr", Type(IpAddress, Strong)),
    ("dob", Type(DateOfBirth, Strong)),
    ("date_of_birth", Type(DateOfBirth, Strong)),
    ("dateofbirth", Type(DateOfBirth, Strong)),
    ("birth_date", Type(DateOfBirth, Strong)),
    ("birthdate", Type(DateOfBirth, Strong)),
    ("birthday", Type(DateOfBirth, Strong)),
    ("born_on", Type(DateOfBirth, Strong)),
    ("tarikh_lahir", Type(DateOfBirth, Strong)),
    ("tanggal_lahir", Type(DateOfBirth, Strong)),
    ("chusheng_riqi", Type(DateOfBirth, Strong)),
    ("seinengappi", Type(DateOfBirth, Strong)),
    ("seinen_gappi", Type(DateOfBirth, Strong)),
    ("ngay_sinh", Type(DateOfBirth, Strong)),
    ("saengil", Type(DateOfBirth, Strong)),
    ("date_birth", Type(DateOfBirth, Strong)),
    ("full_name", Type(PersonName, Strong)),
    ("fullname", Type(PersonName, Strong)),
    ("first_name", Type(PersonName, Strong)),
    ("firstname", Type(PersonName, Strong)),
    ("last_name", Type(PersonName, Strong)),
    ("lastname", Type(PersonName, Strong)),
    ("middle_name", Type(PersonName, Strong)),
    ("given_name", Type(PersonName, Strong)),
    ("givenname", Type(PersonName, Strong)),
    ("family_name", Type(PersonName, Strong)),
    ("familyname", Type(PersonName, Strong)),
    ("surname", Type(PersonName, Strong)),
    ("customer_name", Type(PersonName, Strong)),
    ("holder_name", Type(PersonName, Strong)),
    ("holdername", Type(PersonName, Strong)),
    ("cardholder", Type(PersonName, Strong)),
    ("account_holder", Type(PersonName, Strong)),
    ("beneficiary_name", Type(PersonName, Strong)),
    ("payee_name", Type(PersonName, Strong)),
    ("legal_name", Type(PersonName, Strong)),
    ("nama", Type(PersonName, Weak)),
    ("nama_lengkap", Type(PersonName, Strong)),
    ("xingming", Type(PersonName, Strong)),
    ("shimei", Type(PersonName, Strong)),
    ("namae", Type(PersonName, Strong)),
    ("seimei", Type(PersonName, Strong)),
    ("ho_ten", Type(PersonName, Strong)),
    ("ireum", Type(PersonName, Strong)),
    ("creditor_name", Type(PersonName, Strong)),
    ("debtor_name", Type(PersonName, Strong)),
    ("ultimate_debtor", Type(PersonName, Strong)),
    ("ultimate_creditor", Type(PersonName, Strong)),
    ("payer_name", Type(PersonName, Strong)),
    ("sender_name", Type(PersonName, Strong)),
    ("recipient_name", Type(PersonName, Strong)),
    ("receiver_name", Type(PersonName, Strong)),
    ("remitter_name", Type(PersonName, Strong)),
    ("owner_name", Type(PersonName, Strong)),
    ("applicant_name", Type(PersonName, Strong)),
    ("account_name", Type(PersonName, Weak)),
    ("address", Type(Address, Strong)),
    ("street", Type(Address, Strong)),
    ("address_line", Type(Address, Strong)),
    ("addressline", Type(Address, Strong)),
    ("home_address", Type(Address, Strong)),
    ("postal_address", Type(Address, Strong)),
    ("billing_address", Type(Address, Strong)),
    ("alamat", Type(Address, Strong)),
    ("dizhi", Type(Address, Strong)),
    ("jusho", Type(Address, Strong)),
    ("juusho", Type(Address, Strong)),
    ("regadd", Type(Address, Strong)),
    ("dia_chi", Type(Address, Strong)),
    ("juso", Type(Address, Strong)),
    // Stripe's and others' `address.line1`.
    ("line_1", Type(Address, Weak)),
    ("line_2", Type(Address, Weak)),
    // Secrets
    ("password", Type(Password, Strong)),
    ("passwd", Type(Password, Strong)),
    ("pwd", Type(Password, Strong)),
    ("passcode", Type(Password, Strong)),
    ("pin", Type(Password, Weak)),
    ("kata_laluan", Type(Password, Strong)),
    ("kata_sandi", Type(Password, Strong)),
    ("mima", Type(Password, Strong)),
    ("api_key", Type(ApiKey, Strong)),
    ("apikey", Type(ApiKey, Strong)),
    ("x_api_key", Type(ApiKey, Strong)),
    ("api_token", Type(ApiKey, Strong)),
    ("apitoken", Type(ApiKey, Strong)),
    ("access_key", Type(ApiKey, Strong)),
    ("secret", Type(ApiKey, Strong)),
    ("client_secret", Type(ApiKey, Strong)),
    ("clientsecret", Type(ApiKey, Strong)),
    ("secret_key", Type(ApiKey, Strong)),
    ("secretkey", Type(ApiKey, Strong)),
    ("private_key", Type(PrivateKey, Strong)),
    ("privatekey", Type(PrivateKey, Strong)),
    ("token", Type(ApiKey, Weak)),
    ("access_token", Type(BearerToken, Strong)),
    ("accesstoken", Type(BearerToken, Strong)),
    ("refresh_token", Type(BearerToken, Strong)),
    ("refreshtoken", Type(BearerToken, Strong)),
    ("id_token", Type(BearerToken, Strong)),
    ("authorization", Type(BearerToken, Strong)),
    ("session_token", Type(BearerToken, Strong)),
    ("aws_secret_access_key", Type(AwsSecretKey, Strong)),
    ("secret_access_key", Type(AwsSecretKey, Strong)),
    ("secretaccesskey", Type(AwsSecretKey, Strong)),
    ("aws_access_key_id", Type(AwsAccessKey, Strong)),
    ("access_key_id", Type(AwsAccessKey, Strong)),
    ("accesskeyid", Type(AwsAccessKey, Strong)),
    // Names that look sensitive but are not, and look-alike carriers.
    ("username", NotSensitive),
    ("user_name", NotSensitive),
    ("product_name", NotSensitive),
    ("bank_name", NotSensitive),
    ("branch_name", NotSensitive),
    ("file_name", NotSensitive),
    ("filename", NotSensitive),
    ("display_name", NotSensitive),
    ("mac_address", NotSensitive),
    ("address_id", NotSensitive),
    ("address_type", NotSensitive),
    ("phone_type", NotSensitive),
    ("email_verified", NotSensitive),
    ("password_policy", NotSensitive),
    ("password_expiry", NotSensitive),
    ("token_type", NotSensitive),
    ("expires_in", NotSensitive),
    ("card_type", NotSensitive),
    ("card_brand", NotSensitive),
    ("card_status", NotSensitive),
    ("bsb", NotSensitive),
    ("sort_code", NotSensitive),
    ("routing_number", NotSensitive),
    ("ifsc", NotSensitive),
    ("order_id", NotSensitive),
    ("order_no", NotSensitive),
    ("order_number", NotSensitive),
    ("ordernumber", NotSensitive),
    ("transaction_id", NotSensitive),
    ("transactionid", NotSensitive),
    ("txn_id", NotSensitive),
    ("reference", NotSensitive),
    ("ref_no", NotSensitive),
    ("invoice", NotSensitive),
    ("timestamp", NotSensitive),
    ("created_at", NotSensitive),
    ("updated_at", NotSensitive),
    ("amount", NotSensitive),
    ("balance", NotSensitive),
    ("uuid", NotSensitive),
    ("request_id", NotSensitive),
    ("trace_id", NotSensitive),
    ("sequence", NotSensitive),
    ("count", NotSensitive),
    // Version strings `10.2.33.147` have the shape of an IPv4 address.
    ("version", NotSensitive),
    ("ver", NotSensitive),
    ("build", NotSensitive),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> Option<SensitiveType> {
        hint(name).map(|(kind, _)| kind)
    }

    #[test]
    fn every_naming_style_normalises_to_the_same_hint() {
        for name in ["cardNumber", "card_number", "card-number", "CardNumber", "CARD_NUMBER", "cardnumber"] {
            assert_eq!(kind(name), Some(CardNumber), "{name}");
        }
        for name in ["nric", "NRIC", "customerNric", "customer_nric_number", "holderNRICNumber"] {
            assert_eq!(name_hint(name), Some(NationalId(Strong)), "{name}");
        }
        for name in ["uinfin", "UINFIN", "nricFin", "fin_number"] {
            assert_eq!(kind(name), Some(SgNric), "{name}");
        }
        for name in ["dob", "dateOfBirth", "date-of-birth", "DOB", "birthDate", "tarikh_lahir"] {
            assert_eq!(kind(name), Some(DateOfBirth), "{name}");
        }
    }

    #[test]
    fn local_language_names_are_recognised() {
        assert_eq!(kind("no_kp"), Some(MyMykad));
        assert_eq!(kind("noKp"), Some(MyMykad));
        assert_eq!(kind("nomor_ktp"), Some(IdNik));
        assert_eq!(kind("nomorKtp"), Some(IdNik));
        assert_eq!(kind("shenfenzheng"), Some(CnResidentId));
        assert_eq!(kind("sfzh"), Some(CnResidentId));
        assert_eq!(kind("tfn"), Some(AuTfn));
        assert_eq!(kind("aadhaarNumber"), Some(InAadhaar));
        assert_eq!(kind("ic_number"), Some(MyMykad));
        assert_eq!(kind("mobile"), Some(Phone));
        assert_eq!(kind("card_no"), Some(CardNumber));
    }

    #[test]
    fn short_words_only_match_whole_words() {
        assert_eq!(kind("company"), None);
        assert_eq!(kind("panNumber"), Some(InPan));
        assert_eq!(kind("pan"), Some(CardNumber));
        assert_eq!(kind("hotel"), None);
        assert_eq!(kind("pinned"), None);
    }

    #[test]
    fn the_longest_name_wins() {
        assert_eq!(kind("emailAddress"), Some(Email));
        assert_eq!(kind("ip_address"), Some(IpAddress));
        assert_eq!(kind("homeAddress"), Some(Address));
        assert_eq!(kind("username"), None);
        assert_eq!(kind("cardType"), None);
        assert_eq!(name_hint("orderId"), Some(NotSensitive));
        assert_eq!(name_hint("national_id"), Some(NationalId(Strong)));
        for name in ["idCardNumber", "id_card_no", "ID_CARD_NUMBER", "idcardnumber"] {
            assert_eq!(name_hint(name), Some(NationalId(Strong)), "{name}");
        }
        assert_eq!(kind("cardNumber"), Some(CardNumber));
    }

    #[test]
    fn names_about_a_credential_are_not_the_credential() {
        for name in [
            "passwordHashAlgorithm",
            "password_hint",
            "passwordChangedAt",
            "pinRequired",
            "password_strength",
        ] {
            assert_eq!(kind(name), None, "{name}");
        }
        assert_eq!(kind("password"), Some(Password));
        assert_eq!(kind("newPassword"), Some(Password));
        assert_eq!(kind("dateOfBirth"), Some(DateOfBirth));
    }

    #[test]
    fn short_national_id_names() {
        assert_eq!(name_hint("uid"), Some(Type(InAadhaar, Weak)));
        assert_eq!(name_hint("tin"), Some(Type(UsSsn, Weak)));
        assert_eq!(kind("fluid"), None);
        assert_eq!(kind("tinted"), None);
    }

    #[test]
    fn version_and_build_names_carry_look_alikes() {
        for name in ["appVersion", "app_version", "osVersion", "version", "ver", "build", "sdkVersion"] {
            assert_eq!(name_hint(name), Some(NotSensitive), "{name}");
        }
        assert_eq!(kind("ipAddress"), Some(IpAddress));
    }

    #[test]
    fn keys_read_as_type_fields_generic_members_and_lists() {
        for key in ["type", "idType", "documentType", "docType", "kind", "category", "scheme", "ID_TYPE"] {
            assert_eq!(key_info(key).role, KeyRole::TypeOf, "{key}");
        }
        for key in ["value", "Number", "no", "DATA", "documentNumber", "idNo"] {
            assert_eq!(key_info(key).role, KeyRole::Generic, "{key}");
        }
        for key in ["id", "ID", "identifier"] {
            assert_eq!(key_info(key).role, KeyRole::RecordId, "{key}");
        }
        for key in ["typeface", "customerId", "valueDate", "nric", "prototype"] {
            assert_eq!(key_info(key).role, KeyRole::Plain, "{key}");
        }
        assert_eq!(key_info("cards").as_list, Some(Type(CardNumber, Weak)));
        assert_eq!(key_info("Phones").as_list, Some(Type(Phone, Weak)));
        assert_eq!(key_info("phoneNumbers").as_list, Some(Type(Phone, Weak)));
        assert_eq!(key_info("idDocuments").as_list, None);
        assert_eq!(key_info("IDENTIFIERS").as_list, None);
        assert_eq!(key_info("ids").as_list, None);
        assert_eq!(key_info("transactions").as_list, None);
        assert_eq!(key_info("status").as_list, None);
    }

    #[test]
    fn type_values_name_kinds_as_firmly_as_field_names() {
        let context = |text: &str| context_hint(key_info(text));
        assert_eq!(context("AADHAAR"), Some(Type(InAadhaar, Strong)));
        assert_eq!(context("MYKAD"), Some(Type(MyMykad, Strong)));
        assert_eq!(context("NRIC"), Some(NationalId(Strong)));
        assert_eq!(context("MOBILE"), Some(Type(Phone, Strong)));
        assert_eq!(context("MY_NUMBER"), Some(Type(JpMyNumber, Strong)));
        assert_eq!(context("cards"), Some(Type(CardNumber, Weak)));
        assert_eq!(context("documents"), None);
        assert_eq!(context("ACTIVE"), None);
        assert_eq!(context("order_id"), None);
    }

    #[test]
    fn unrelated_or_absurd_names_give_nothing() {
        assert_eq!(kind(""), None);
        assert_eq!(kind("status"), None);
        assert_eq!(kind(&"x".repeat(10_000)), None);
        assert_eq!(kind("日本語"), None);
    }
}

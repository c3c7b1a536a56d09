//! The bank's book, generated deterministically from a seed: customers across Singapore, India,
//! China, Hong Kong and Malaysia, their accounts, cards, transactions, beneficiaries and past
//! payments.
//!
//! Everything comes from one [`DemoRng`] stream in a fixed order, so the same seed and customer
//! count always give the same book — which is what makes recorded samples reproducible.

use chrono::{Datelike, Duration, NaiveDate};
use rsa::sha2::{Digest, Sha256};
use serde::Serialize;

use crate::ids;

/// The day the generated book runs up to; transactions fall in the six months before it.
pub fn book_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
}

/// A small, fast, seedable generator (SplitMix64). Not for secrets.
#[derive(Debug, Clone)]
pub struct DemoRng(u64);

impl DemoRng {
    pub fn new(seed: u64) -> DemoRng {
        DemoRng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn digit(&mut self) -> u8 {
        self.below(10) as u8
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.digit())).collect()
    }

    pub fn hex(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize])).collect()
    }

    /// A random (version 4) UUID drawn from this stream.
    pub fn uuid(&mut self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Country {
    #[serde(rename = "SG")]
    Singapore,
    #[serde(rename = "IN")]
    India,
    #[serde(rename = "CN")]
    China,
    #[serde(rename = "HK")]
    HongKong,
    #[serde(rename = "MY")]
    Malaysia,
}

impl Country {
    pub fn code(self) -> &'static str {
        match self {
            Country::Singapore => "SG",
            Country::India => "IN",
            Country::China => "CN",
            Country::HongKong => "HK",
            Country::Malaysia => "MY",
        }
    }

    pub fn currency(self) -> &'static str {
        match self {
            Country::Singapore => "SGD",
            Country::India => "INR",
            Country::China => "CNY",
            Country::HongKong => "HKD",
            Country::Malaysia => "MYR",
        }
    }
}

/// The kind of national identifier a customer holds, named as the JSON field that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalIdKind {
    Nric,
    Aadhaar,
    ResidentId,
    Hkid,
    Mykad,
}

impl NationalIdKind {
    pub fn field_name(self) -> &'static str {
        match self {
            NationalIdKind::Nric => "nric",
            NationalIdKind::Aadhaar => "aadhaar",
            NationalIdKind::ResidentId => "residentId",
            NationalIdKind::Hkid => "hkid",
            NationalIdKind::Mykad => "mykad",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub postal_code: String,
    pub country: &'static str,
}

impl Address {
    /// One line, as the legacy API showed addresses.
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.line1.clone()];
        parts.extend(self.line2.clone());
        parts.push(self.city.clone());
        parts.extend(self.state.clone());
        parts.push(self.postal_code.clone());
        parts.join(", ")
    }
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub customer_id: String,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    pub country: Country,
    pub national_id_kind: NationalIdKind,
    pub national_id: String,
    pub phone: String,
    pub email: String,
    pub date_of_birth: NaiveDate,
    pub address: Address,
    pub segment: &'static str,
    pub customer_since: NaiveDate,
    /// The demo password; known to the traffic generator, never served.
    pub password: String,
    pub password_hash: String,
    pub mfa_enabled: bool,
}

impl Customer {
    pub fn full_name(&self) -> String {
        match self.country {
            // Chinese-order names put the family name first.
            Country::China | Country::HongKong => format!("{} {}", self.family_name, self.given_name),
            _ => format!("{} {}", self.given_name, self.family_name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub account_id: String,
    pub customer_index: usize,
    pub kind: &'static str,
    pub product_name: &'static str,
    pub currency: &'static str,
    pub account_number: String,
    pub bank_code: String,
    pub branch_code: String,
    pub iban: Option<String>,
    pub bic: &'static str,
    pub opened_on: NaiveDate,
    /// Opening balance of the generated history, in minor units.
    pub opening_balance_minor: i64,
    pub overdraft_limit_minor: i64,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub transaction_id: uuid::Uuid,
    pub account_index: usize,
    pub booked_at: chrono::DateTime<chrono::Utc>,
    /// Signed, in minor units: negative is a debit.
    pub amount_minor: i64,
    pub balance_after_minor: i64,
    pub description: String,
    pub merchant: Option<(&'static str, &'static str)>,
    pub reference: String,
    pub status: &'static str,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub card_id: String,
    pub account_index: usize,
    pub brand: &'static str,
    pub kind: &'static str,
    pub pan: String,
    pub expiry_month: u32,
    pub expiry_year: i32,
    pub cardholder_name: String,
}

impl Card {
    /// `4111 **** **** 1111`: first four and last four digits kept.
    pub fn masked_pan(&self) -> String {
        let n = self.pan.len();
        let first = self.pan.get(..4).unwrap_or("");
        let last = self.pan.get(n.saturating_sub(4)..).unwrap_or("");
        format!("{first} **** **** {last}")
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Beneficiary {
    pub beneficiary_id: String,
    #[serde(skip)]
    pub customer_index: usize,
    pub name: String,
    pub nickname: Option<String>,
    pub account_number: String,
    pub bank_name: String,
    pub bank_code: String,
    pub country: String,
    /// `PENDING_VERIFICATION` during the cooling-off period, then `ACTIVE`.
    pub status: String,
    pub created_at: String,
}

/// A staff member of the bank, visible in the internal admin area.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub seed: u64,
    pub customers: Vec<Customer>,
    pub accounts: Vec<Account>,
    /// Per account, newest first.
    pub transactions: Vec<Vec<Transaction>>,
    pub cards: Vec<Card>,
    pub beneficiaries: Vec<Beneficiary>,
    pub staff: Vec<StaffUser>,
    /// The key for `X-API-Key` on `/internal`, held by the ops team.
    pub ops_api_key: String,
    /// OAuth clients: (client id, secret, allowed scopes).
    pub clients: Vec<(String, String, &'static str)>,
}

const SG_FAMILY: &[&str] = &["Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Koh", "Teo", "Chong"];
const SG_GIVEN: &[&str] =
    &["Mei Ling", "Wei Jie", "Hui Min", "Jun Jie", "Xin Yi", "Zhi Hao", "Siew Ling", "Kai Wen", "Jia Hui"];
const SG_MALAY: &[(&str, &str)] =
    &[("Nur Aisyah", "Rahman"), ("Muhammad Faris", "Ismail"), ("Siti Nurhaliza", "Osman")];
const IN_FAMILY: &[&str] =
    &["Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Singh", "Menon", "Rao", "Das"];
const IN_GIVEN: &[&str] =
    &["Aarav", "Vivaan", "Aditya", "Ananya", "Diya", "Priya", "Rohan", "Kavya", "Arjun", "Ishaan", "Meera"];
const CN_FAMILY: &[&str] = &["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"];
const CN_GIVEN: &[&str] =
    &["Wei", "Fang", "Xiuying", "Jing", "Lei", "Min", "Jun", "Yan", "Hao", "Yuxuan", "Zihan"];
const HK_FAMILY: &[&str] = &["Chan", "Wong", "Cheung", "Lau", "Leung", "Ho", "Yeung", "Tsang", "Lai", "Kwok"];
const HK_GIVEN: &[&str] = &["Ka Ming", "Wing Yan", "Chi Keung", "Hoi Yee", "Tsz Ching", "Siu Fung", "Ka Yan"];
const MY_NAMES: &[(&str, &str)] = &[
    ("Ahmad Zaki", "Hassan"),
    ("Siti Aminah", "Yusof"),
    ("Nurul Huda", "Abdullah"),
    ("Wei Liang", "Lim"),
    ("Mei Fong", "Tan"),
    ("Kavitha", "Subramaniam"),
    ("Arif", "Rahim"),
];

const SEGMENTS: [&str; 4] = ["RETAIL", "RETAIL", "PREMIER", "PRIVATE"];
const PASSWORD_WORDS: &[&str] =
    &["Harbour", "Merlion", "Monsoon", "Lotus", "Orchid", "Junk", "Peak", "Banyan"];

fn pad2(n: i64) -> String {
    format!("{:02}", n.rem_euclid(100))
}

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

fn national_id(
    rng: &mut DemoRng,
    country: Country,
    dob: NaiveDate,
    female: bool,
) -> (NationalIdKind, String) {
    match country {
        Country::Singapore => {
            let prefix = if dob.year() >= 2000 { 'T' } else { 'S' };
            // For citizens born after 1968 the first two digits are the birth year.
            let mut digits = format!("{}{}", pad2(i64::from(dob.year())), rng.digits(5));
            if dob.year() < 1968 {
                digits = format!("{}{}", rng.range(0, 1), rng.digits(6));
            }
            let d: [u8; 7] = digits_of(&digits).try_into().unwrap_or([0; 7]);
            (NationalIdKind::Nric, format!("{prefix}{digits}{}", ids::nric_check_letter(prefix, &d)))
        }
        Country::India => {
            let mut payload = vec![rng.range(2, 9) as u8];
            payload.extend((0..10).map(|_| rng.digit()));
            let check = ids::verhoeff_check_digit(&payload);
            payload.push(check);
            let s: String = payload.iter().map(|d| char::from(b'0' + d)).collect();
            (NationalIdKind::Aadhaar, format!("{} {} {}", &s[..4], &s[4..8], &s[8..]))
        }
        Country::China => {
            const AREAS: &[&str] = &["110101", "310104", "440305", "330106", "510107", "320102", "420106"];
            let seq =
                rng.range(0, 99) * 10 + if female { 2 * rng.range(0, 4) } else { 2 * rng.range(0, 4) + 1 };
            let body = format!("{}{}{:03}", rng.pick(AREAS), dob.format("%Y%m%d"), seq);
            let d: [u8; 17] = digits_of(&body).try_into().unwrap_or([0; 17]);
            (NationalIdKind::ResidentId, format!("{body}{}", ids::china_rid_check_char(&d)))
        }
        Country::HongKong => {
            let letter = *rng.pick(&['A', 'C', 'D', 'E', 'G', 'H', 'K', 'P', 'R', 'Y', 'Z']);
            let digits = rng.digits(6);
            let d: [u8; 6] = digits_of(&digits).try_into().unwrap_or([0; 6]);
            (NationalIdKind::Hkid, format!("{letter}{digits}({})", ids::hkid_check_char(letter, &d)))
        }
        Country::Malaysia => {
            // YYMMDD-PB-###G: the last digit is odd for men, even for women.
            let state = rng.pick(&["14", "10", "07", "01", "08", "12"]);
            let last = if female { 2 * rng.range(0, 4) } else { 2 * rng.range(0, 4) + 1 };
            (NationalIdKind::Mykad, format!("{}-{state}-{}{last}", dob.format("%y%m%d"), rng.digits(3)))
        }
    }
}

fn phone(rng: &mut DemoRng, country: Country) -> String {
    match country {
        Country::Singapore => format!("+65{}{}", rng.pick(&['8', '9']), rng.digits(7)),
        Country::India => format!("+91{}{}", rng.range(6, 9), rng.digits(9)),
        Country::China => format!("+861{}{}", rng.pick(&['3', '5', '8', '9']), rng.digits(9)),
        Country::HongKong => format!("+852{}{}", rng.pick(&['5', '6', '9']), rng.digits(7)),
        Country::Malaysia => format!("+601{}{}", rng.pick(&['2', '6', '7', '9']), rng.digits(7)),
    }
}

fn address(rng: &mut DemoRng, country: Country) -> Address {
    match country {
        Country::Singapore => {
            let (street, district) = *rng.pick(&[
                ("Ang Mo Kio Avenue 3", "56"),
                ("Tampines Street 21", "52"),
                ("Jurong West Street 64", "64"),
                ("Toa Payoh Lorong 1", "31"),
                ("Bedok North Road", "46"),
            ]);
            let block = rng.range(100, 699);
            Address {
                line1: format!("Blk {block} {street}"),
                line2: Some(format!("#{:02}-{}", rng.range(2, 25), rng.range(100, 999))),
                city: "Singapore".into(),
                state: None,
                postal_code: format!("{district}{block:04}"),
                country: "SG",
            }
        }
        Country::India => {
            let (street, city, state, pin) = *rng.pick(&[
                ("MG Road", "Bengaluru", "Karnataka", "5600"),
                ("Linking Road, Bandra West", "Mumbai", "Maharashtra", "4000"),
                ("Anna Salai", "Chennai", "Tamil Nadu", "6000"),
                ("Connaught Place", "New Delhi", "Delhi", "1100"),
            ]);
            Address {
                line1: format!(
                    "Flat {}{}, {} {street}",
                    rng.range(1, 12),
                    rng.pick(&["A", "B", "C"]),
                    rng.range(1, 220)
                ),
                line2: None,
                city: city.into(),
                state: Some(state.into()),
                postal_code: format!("{pin}{}", rng.digits(2)),
                country: "IN",
            }
        }
        Country::China => {
            let (street, city, post) = *rng.pick(&[
                ("Century Avenue, Pudong", "Shanghai", "2001"),
                ("Jianguo Road, Chaoyang", "Beijing", "1000"),
                ("Shennan Avenue, Nanshan", "Shenzhen", "5180"),
                ("Wensan Road, Xihu", "Hangzhou", "3100"),
            ]);
            Address {
                line1: format!(
                    "Room {}{:02}, {} {street}",
                    rng.range(2, 30),
                    rng.range(1, 12),
                    rng.range(1, 888)
                ),
                line2: None,
                city: city.into(),
                state: None,
                postal_code: format!("{post}{}", rng.digits(2)),
                country: "CN",
            }
        }
        Country::HongKong => {
            let (street, district) = *rng.pick(&[
                ("Nathan Road", "Tsim Sha Tsui, Kowloon"),
                ("King's Road", "North Point"),
                ("Hennessy Road", "Wan Chai"),
                ("Sha Tin Centre Street", "Sha Tin, New Territories"),
            ]);
            Address {
                line1: format!(
                    "Flat {}{}, {} {street}",
                    rng.range(2, 40),
                    rng.pick(&["A", "B", "C", "D"]),
                    rng.range(1, 300)
                ),
                line2: Some(district.into()),
                city: "Hong Kong".into(),
                state: None,
                postal_code: "999077".into(),
                country: "HK",
            }
        }
        Country::Malaysia => {
            let (street, city, state, post) = *rng.pick(&[
                ("Jalan Ampang", "Kuala Lumpur", "Wilayah Persekutuan", "504"),
                ("Jalan SS 2/24", "Petaling Jaya", "Selangor", "473"),
                ("Lebuh Chulia", "George Town", "Pulau Pinang", "102"),
            ]);
            Address {
                line1: format!("No. {}, {street}", rng.range(1, 120)),
                line2: None,
                city: city.into(),
                state: Some(state.into()),
                postal_code: format!("{post}{}", rng.digits(2)),
                country: "MY",
            }
        }
    }
}

/// A card number with a real issuer prefix for `brand`, passing Luhn.
pub fn card_number(rng: &mut DemoRng, brand: &str) -> String {
    let (prefix, len): (String, usize) = match brand {
        "VISA" => ("4".into(), 16),
        "MASTERCARD" if rng.chance(30) => (rng.range(2221, 2720).to_string(), 16),
        "MASTERCARD" => (rng.range(51, 55).to_string(), 16),
        "UNIONPAY" => ("62".into(), if rng.chance(30) { 19 } else { 16 }),
        "JCB" => (rng.range(3528, 3589).to_string(), 16),
        _ => (rng.pick(&["34", "37"]).to_string(), 15),
    };
    let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    let check = ids::luhn_check_digit(&digits_of(&body));
    format!("{body}{check}")
}

/// A valid IBAN for one of the bank's overseas branches, with its BIC and currency.
fn overseas_account(rng: &mut DemoRng) -> (String, &'static str, &'static str) {
    match rng.below(4) {
        0 => {
            let bban = format!("DEMO{}{}", rng.digits(6), rng.digits(8));
            (format!("GB{}{bban}", ids::iban_check_digits("GB", &bban)), "DEMOGB2L", "GBP")
        }
        1 => {
            let bban = format!("50070010{}", rng.digits(10));
            (format!("DE{}{bban}", ids::iban_check_digits("DE", &bban)), "DEMODEFF", "EUR")
        }
        2 => {
            let bban = format!("033{}", rng.digits(16));
            (format!("AE{}{bban}", ids::iban_check_digits("AE", &bban)), "DEMOAEAD", "AED")
        }
        _ => {
            let bban = format!("80{}", rng.digits(18));
            (format!("SA{}{bban}", ids::iban_check_digits("SA", &bban)), "DEMOSARI", "SAR")
        }
    }
}

fn local_account_number(rng: &mut DemoRng, country: Country) -> (String, String, String) {
    match country {
        Country::Singapore => (rng.digits(10), "7171".into(), format!("{:03}", rng.range(1, 80))),
        Country::India => (rng.digits(14), "DEMO0".into(), format!("{:06}", rng.range(1, 999_999))),
        Country::China => (format!("6217{}", rng.digits(15)), "DEMOCNSH".into(), rng.digits(4)),
        Country::HongKong => (rng.digits(12), "389".into(), format!("{:03}", rng.range(1, 999))),
        Country::Malaysia => (rng.digits(12), "DEMOMYKL".into(), format!("{:04}", rng.range(1, 999))),
    }
}

const MERCHANTS: &[(&str, &str, i64, i64)] = &[
    ("GrabFood", "5814", 900, 4500),
    ("NTUC FairPrice", "5411", 1500, 18000),
    ("Starbucks", "5814", 550, 1800),
    ("Shopee", "5311", 1200, 25000),
    ("Lazada", "5311", 1500, 30000),
    ("Swiggy", "5814", 20000, 90000),
    ("Zomato", "5814", 18000, 80000),
    ("Taobao", "5311", 3000, 60000),
    ("Meituan", "5814", 2500, 12000),
    ("Foodpanda", "5814", 1200, 6000),
    ("Singapore Airlines", "4511", 25000, 180000),
    ("Cathay Pacific", "4511", 30000, 200000),
    ("SP Group", "4900", 6000, 25000),
    ("Uniqlo", "5651", 2000, 15000),
    ("Watsons", "5912", 800, 6000),
];

fn generate_transactions(
    rng: &mut DemoRng,
    account: &Account,
    account_index: usize,
    customer: &Customer,
) -> (Vec<Transaction>, i64) {
    let count = rng.range(25, 70) as usize;
    let start = book_date() - Duration::days(182);
    let mut times: Vec<i64> = (0..count).map(|_| rng.range(0, 182 * 86_400 - 1)).collect();
    times.sort_unstable();
    let mut balance = account.opening_balance_minor;
    let mut out = Vec::with_capacity(count);
    let base = start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    for (i, offset) in times.into_iter().enumerate() {
        let (amount, description, merchant) = if i % 9 == 4 {
            let salary = rng.range(350_000, 1_200_000);
            (
                salary,
                format!("SALARY {}", rng.pick(&["ACME PTE LTD", "INFOSYS LTD", "HSBC HK", "PETRONAS"])),
                None,
            )
        } else if rng.chance(12) {
            let name = customer.given_name.to_uppercase();
            (-rng.range(2_000, 80_000), format!("TRANSFER TO {name} SAVINGS"), None)
        } else {
            let (name, mcc, lo, hi) = *rng.pick(MERCHANTS);
            (-rng.range(lo, hi), format!("{} {}", name.to_uppercase(), rng.digits(6)), Some((name, mcc)))
        };
        balance += amount;
        out.push(Transaction {
            transaction_id: rng.uuid(),
            account_index,
            booked_at: base + Duration::seconds(offset),
            amount_minor: amount,
            balance_after_minor: balance,
            description,
            merchant,
            reference: format!("FT{}", rng.digits(10)),
            status: if offset > 180 * 86_400 && rng.chance(50) { "PENDING" } else { "BOOKED" },
        });
    }
    out.reverse();
    (out, balance)
}

/// SHA-256 of the username as salt and the password, hex encoded.
pub fn password_hash(username: &str, password: &str) -> String {
    let mut h = Sha256::new();
    h.update(username.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Dataset {
    /// The book for `seed` with `customer_count` customers (at least one).
    pub fn generate(seed: u64, customer_count: usize) -> Dataset {
        let mut rng = DemoRng::new(seed);
        let mut customers = Vec::new();
        let mut usernames = std::collections::BTreeSet::new();
        let mut accounts = Vec::new();
        let mut transactions = Vec::new();
        let mut cards = Vec::new();
        let mut beneficiaries = Vec::new();
        for index in 0..customer_count.max(1) {
            let country = match rng.below(100) {
                0..=34 => Country::Singapore,
                35..=54 => Country::India,
                55..=69 => Country::China,
                70..=84 => Country::HongKong,
                _ => Country::Malaysia,
            };
            let (given, family) = match country {
                Country::Singapore if rng.chance(20) => {
                    let (g, f) = *rng.pick(SG_MALAY);
                    (g.to_owned(), f.to_owned())
                }
                Country::Singapore => (rng.pick(SG_GIVEN).to_string(), rng.pick(SG_FAMILY).to_string()),
                Country::India => (rng.pick(IN_GIVEN).to_string(), rng.pick(IN_FAMILY).to_string()),
                Country::China => (rng.pick(CN_GIVEN).to_string(), rng.pick(CN_FAMILY).to_string()),
                Country::HongKong => (rng.pick(HK_GIVEN).to_string(), rng.pick(HK_FAMILY).to_string()),
                Country::Malaysia => {
                    let (g, f) = *rng.pick(MY_NAMES);
                    (g.to_owned(), f.to_owned())
                }
            };
            let female = rng.chance(50);
            let dob = NaiveDate::from_ymd_opt(
                rng.range(1951, 2005) as i32,
                rng.range(1, 12) as u32,
                rng.range(1, 28) as u32,
            )
            .unwrap_or_default();
            let first = given.split(' ').next().unwrap_or("user").to_lowercase();
            let last = family.to_lowercase().replace(' ', "");
            let mut username = format!("{first}.{last}{:02}", rng.range(1, 99));
            while usernames.contains(&username) {
                username = format!("{first}.{last}{:02}", rng.range(1, 99));
            }
            usernames.insert(username.clone());
            let domain = match country {
                Country::Singapore => {
                    rng.pick(&["gmail.com", "yahoo.com.sg", "outlook.com", "singnet.com.sg"])
                }
                Country::India => rng.pick(&["gmail.com", "rediffmail.com", "outlook.com", "yahoo.co.in"]),
                Country::China => rng.pick(&["qq.com", "163.com", "126.com", "outlook.com"]),
                Country::HongKong => rng.pick(&["gmail.com", "yahoo.com.hk", "netvigator.com"]),
                Country::Malaysia => rng.pick(&["gmail.com", "yahoo.com.my", "outlook.com"]),
            };
            let email =
                format!("{}{}@{domain}", username.replace('.', if rng.chance(50) { "." } else { "_" }), "");
            let (national_id_kind, national_id) = national_id(&mut rng, country, dob, female);
            let password = format!("{}!{}", rng.pick(PASSWORD_WORDS), rng.digits(4));
            let customer = Customer {
                customer_id: format!("{}", 10_000_000 + index as u64 * 7 + rng.below(7)),
                password_hash: password_hash(&username, &password),
                username,
                given_name: given,
                family_name: family,
                country,
                national_id_kind,
                national_id,
                phone: phone(&mut rng, country),
                email,
                date_of_birth: dob,
                address: address(&mut rng, country),
                segment: SEGMENTS[rng.below(SEGMENTS.len() as u64) as usize],
                customer_since: NaiveDate::from_ymd_opt(
                    rng.range(2008, 2025) as i32,
                    rng.range(1, 12) as u32,
                    1,
                )
                .unwrap_or_default(),
                password,
                mfa_enabled: rng.chance(70),
            };
            let account_count = rng.range(1, 3) as usize;
            let mut customer_accounts = Vec::new();
            for n in 0..account_count {
                let (kind, product) = match n {
                    0 => ("SAVINGS", "eSavings Account"),
                    1 => ("CURRENT", "Everyday Current Account"),
                    _ => ("SAVINGS", "Multi-Currency Account"),
                };
                let (account_number, bank_code, branch_code) = local_account_number(&mut rng, country);
                let (iban, bic, currency) = if n == 2 || (n == 0 && rng.chance(15)) {
                    let (iban, bic, ccy) = overseas_account(&mut rng);
                    (Some(iban), bic, ccy)
                } else {
                    (None, "DEMOSGSG", country.currency())
                };
                let account = Account {
                    account_id: format!("acc_{}", rng.hex(12)),
                    customer_index: index,
                    kind,
                    product_name: product,
                    currency,
                    account_number,
                    bank_code,
                    branch_code,
                    iban,
                    bic,
                    opened_on: customer.customer_since + Duration::days(rng.range(0, 400)),
                    opening_balance_minor: rng.range(50_000, 5_000_000),
                    overdraft_limit_minor: if kind == "CURRENT" { 100_000 } else { 0 },
                };
                let account_index = accounts.len();
                let (txns, _) = generate_transactions(&mut rng, &account, account_index, &customer);
                transactions.push(txns);
                accounts.push(account);
                customer_accounts.push(account_index);
            }
            for (n, account_index) in customer_accounts.iter().enumerate().take(2) {
                if n == 1 && !rng.chance(60) {
                    continue;
                }
                let brand = match country {
                    Country::China => *rng.pick(&["UNIONPAY", "UNIONPAY", "VISA"]),
                    Country::HongKong => *rng.pick(&["VISA", "MASTERCARD", "JCB", "AMEX", "UNIONPAY"]),
                    _ => *rng.pick(&["VISA", "VISA", "MASTERCARD", "MASTERCARD", "AMEX", "JCB"]),
                };
                cards.push(Card {
                    card_id: format!("card_{}", rng.hex(10)),
                    account_index: *account_index,
                    brand,
                    kind: if n == 0 { "DEBIT" } else { "CREDIT" },
                    pan: card_number(&mut rng, brand),
                    expiry_month: rng.range(1, 12) as u32,
                    expiry_year: rng.range(2027, 2031) as i32,
                    cardholder_name: customer.full_name().to_uppercase(),
                });
            }
            for _ in 0..rng.range(0, 3) {
                beneficiaries.push(Beneficiary {
                    beneficiary_id: format!("ben_{}", rng.hex(10)),
                    customer_index: index,
                    name: format!("{} {}", rng.pick(SG_GIVEN), rng.pick(SG_FAMILY)),
                    nickname: if rng.chance(50) {
                        Some(rng.pick(&["Mum", "Landlord", "Tuition", "Brother"]).to_string())
                    } else {
                        None
                    },
                    account_number: rng.digits(10),
                    bank_name: rng
                        .pick(&["DBS Bank", "OCBC Bank", "UOB", "HDFC Bank", "Maybank"])
                        .to_string(),
                    bank_code: rng.pick(&["7171", "7339", "7375", "HDFC0000123", "MBBEMYKL"]).to_string(),
                    country: customer.country.code().to_owned(),
                    status: "ACTIVE".to_owned(),
                    created_at: format!(
                        "2026-{:02}-{:02}T09:{:02}:00Z",
                        rng.range(1, 10),
                        rng.range(1, 28),
                        rng.range(0, 59)
                    ),
                });
            }
            customers.push(customer);
        }
        let staff = vec![
            StaffUser {
                username: "ops.lim".into(),
                display_name: "Lim Kok Wah".into(),
                email: "kokwah.lim@demo-bank.example".into(),
                roles: vec!["ops", "admin"],
            },
            StaffUser {
                username: "ops.priya".into(),
                display_name: "Priya Raman".into(),
                email: "priya.raman@demo-bank.example".into(),
                roles: vec!["ops"],
            },
            StaffUser {
                username: "svc-reporting".into(),
                display_name: "Reporting service".into(),
                email: "svc-reporting@demo-bank.example".into(),
                roles: vec!["service"],
            },
        ];
        let ops_api_key = format!("rk_live_{}", rng.hex(32));
        let clients = vec![
            (
                "demo-bank-mobile".to_owned(),
                format!("mob_{}", rng.hex(24)),
                "accounts payments cards profile",
            ),
            ("partner-fintech-01".to_owned(), format!("pft_{}", rng.hex(24)), "accounts:read"),
        ];
        Dataset { seed, customers, accounts, transactions, cards, beneficiaries, staff, ops_api_key, clients }
    }

    pub fn customer_by_id(&self, customer_id: &str) -> Option<usize> {
        self.customers.iter().position(|c| c.customer_id == customer_id)
    }

    pub fn customer_by_username(&self, username: &str) -> Option<usize> {
        self.customers.iter().position(|c| c.username == username)
    }

    pub fn account_by_id(&self, account_id: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.account_id == account_id)
    }

    pub fn accounts_of(&self, customer_index: usize) -> impl Iterator<Item = (usize, &Account)> {
        self.accounts.iter().enumerate().filter(move |(_, a)| a.customer_index == customer_index)
    }

    /// Current balance of an account in minor units: its newest transaction's running balance.
    pub fn ledger_balance(&self, account_index: usize) -> i64 {
        let opening = self.accounts.get(account_index).map_or(0, |a| a.opening_balance_minor);
        self.transactions
            .get(account_index)
            .and_then(|t| t.first())
            .map_or(opening, |t| t.balance_after_minor)
    }
}

/// `-1234` minor units → `"-12.34"`.
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", minor.unsigned_abs() / 100, minor.unsigned_abs() % 100)
}

/// `"12.3"` → 1230; `None` for anything but a plain decimal with at most two places.
pub fn parse_minor(text: &str) -> Option<i64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if whole.is_empty() || whole.len() > 12 || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    let value = whole * 100 + frac;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_book_and_usernames_are_unique() {
        let a = Dataset::generate(11, 60);
        let b = Dataset::generate(11, 60);
        assert_eq!(a.customers.len(), 60);
        assert_eq!(a.customers[17].national_id, b.customers[17].national_id);
        assert_eq!(a.accounts.len(), b.accounts.len());
        assert_eq!(a.transactions[3][0].transaction_id, b.transactions[3][0].transaction_id);
        let names: std::collections::BTreeSet<_> = a.customers.iter().map(|c| &c.username).collect();
        assert_eq!(names.len(), 60);
        assert_ne!(Dataset::generate(12, 60).customers[0].national_id, a.customers[0].national_id);
    }

    #[test]
    fn money_parses_and_formats() {
        assert_eq!(parse_minor("12.3"), Some(1230));
        assert_eq!(parse_minor("0.05"), Some(5));
        assert_eq!(parse_minor("-7"), Some(-700));
        assert_eq!(parse_minor("1.234"), None);
        assert_eq!(parse_minor("1e3"), None);
        assert_eq!(parse_minor(""), None);
        assert_eq!(format_minor(-1234), "-12.34");
        assert_eq!(format_minor(5), "0.05");
    }
}

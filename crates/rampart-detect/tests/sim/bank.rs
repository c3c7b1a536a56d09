//! The simulated bank: customers with their PII, accounts and beneficiaries, the networks they
//! come from, and the JSON bodies the API answers with.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use super::util::Rng;

pub const HOST: &str = "api.bank.example";

const FIRST: &[&str] = &[
    "Wei Ling",
    "Jun Jie",
    "Mei Hua",
    "Kai Wen",
    "Hui Min",
    "Zhi Hao",
    "Siew Lan",
    "Boon Keng",
    "Nurul",
    "Ahmad",
    "Siti",
    "Muhammad",
    "Farah",
    "Hafiz",
    "Aisyah",
    "Rizal",
    "Priya",
    "Arjun",
    "Kavitha",
    "Rajesh",
    "Deepa",
    "Suresh",
    "Anand",
    "Lakshmi",
    "Daniel",
    "Sarah",
    "Michael",
    "Rachel",
    "James",
    "Grace",
    "Ethan",
    "Chloe",
    "Ryan",
    "Natalie",
    "Marcus",
    "Sophia",
    "Jonathan",
    "Amanda",
    "Benjamin",
    "Vanessa",
];
const LAST: &[&str] = &[
    "Tan",
    "Lim",
    "Lee",
    "Ng",
    "Ong",
    "Wong",
    "Goh",
    "Chua",
    "Chan",
    "Koh",
    "Teo",
    "Ang",
    "Yeo",
    "Tay",
    "Ho",
    "Low",
    "Toh",
    "Sim",
    "Chong",
    "Abdullah",
    "Rahman",
    "Ismail",
    "Hassan",
    "Ibrahim",
    "Osman",
    "Kumar",
    "Pillai",
    "Nair",
    "Raj",
    "Singh",
    "Menon",
    "Fernandez",
    "Pereira",
    "Smith",
    "Brown",
    "Wilson",
];
const MAIL: &[&str] =
    &["gmail.com", "yahoo.com.sg", "hotmail.com", "outlook.com", "singnet.com.sg", "icloud.com"];
const MERCHANTS: &[&str] = &[
    "GrabFood",
    "Grab Transport",
    "NTUC FairPrice",
    "Cold Storage",
    "Shopee",
    "Lazada",
    "Starbucks",
    "McDonald's",
    "Giant Hypermarket",
    "SP Group",
    "Singtel",
    "Netflix",
    "Spotify",
    "Uniqlo",
    "Watsons",
    "Guardian",
    "Petronas",
    "Shell",
    "Kopitiam",
    "Toast Box",
    "Ya Kun",
    "Amazon",
    "Apple.com",
    "Foodpanda",
    "Comfort Taxi",
    "SMRT",
];
const BANKS: &[&str] =
    &["DBS", "OCBC", "UOB", "Maybank", "CIMB", "HSBC", "Standard Chartered", "Public Bank"];

/// Browser user agents of real customers.
pub const BROWSER_UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
];
/// The bank's own mobile app (it also sends `x-device-id`).
pub const APP_UAS: &[&str] = &[
    "BankApp/5.12.1 (iPhone15,2; iOS 18.1; Scale/3.00)",
    "BankApp/5.12.1 (iPhone14,5; iOS 17.6.1; Scale/3.00)",
    "BankApp/5.12.0 (Linux; Android 14; SM-S918B) okhttp/4.12.0",
    "BankApp/5.11.4 (Linux; Android 13; Pixel 7) okhttp/4.12.0",
];

#[derive(Debug, Clone)]
pub struct Account {
    pub id: u64,
    pub kind: &'static str,
    pub currency: &'static str,
    pub balance_cents: i64,
}

#[derive(Debug, Clone)]
pub struct Beneficiary {
    pub id: u32,
    pub name: String,
    pub bank: &'static str,
    pub last4: String,
}

#[derive(Debug, Clone)]
pub struct Customer {
    /// JWT `sub`: `cust-00042`.
    pub sub: String,
    /// Login name: the e-mail address.
    pub username: String,
    pub password: String,
    pub name: String,
    pub phone: String,
    pub national_id: String,
    pub id_type: &'static str,
    pub dob: String,
    pub accounts: Vec<Account>,
    pub beneficiaries: Vec<Beneficiary>,
    pub home_ip: IpAddr,
    /// A carrier-grade NAT address shared with many other customers, for those on mobile data.
    pub mobile_ip: Option<IpAddr>,
    pub web_ua: &'static str,
    /// The app's user agent and this phone's device id, for customers with the app.
    pub app: Option<(&'static str, String)>,
}

impl Customer {
    pub fn identity(&self) -> String {
        format!("jwt:{}", self.sub)
    }
}

/// Address allocation: every category of client has its own first octets, so benign and
/// attacking networks never share a /24 (a prefix decision on an attacker's /24 never covers a
/// customer).
#[derive(Debug, Default)]
pub struct Nets {
    prefixes: BTreeSet<[u8; 3]>,
    ips: BTreeSet<IpAddr>,
}

/// Singapore and Malaysian consumer ISPs (home broadband).
const RESIDENTIAL: &[(u8, u8)] = &[
    (101, 127),
    (116, 86),
    (175, 156),
    (121, 7),
    (118, 200),
    (49, 245),
    (175, 139),
    (115, 164),
    (60, 48),
    (219, 74),
];
/// Mobile carriers' CGNAT ranges.
const MOBILE: &[(u8, u8)] = &[(111, 65), (183, 90), (175, 144)];
/// Hosting providers and VPS ranges (attack infrastructure).
const HOSTING: &[u8] = &[45, 185, 193, 91, 194, 5, 141, 89, 80, 146, 159, 167, 104, 64, 209];
/// Residential proxies all over the world (botnets, proxy networks).
const PROXY: &[u8] =
    &[78, 92, 86, 187, 177, 41, 36, 14, 27, 59, 110, 182, 24, 73, 98, 189, 200, 201, 2, 31, 37, 151];

impl Nets {
    fn fresh_prefix(&mut self, rng: &mut Rng, first: u8, second: Option<u8>) -> [u8; 3] {
        loop {
            let p = [first, second.unwrap_or_else(|| rng.range(1, 255) as u8), rng.range(0, 255) as u8];
            if self.prefixes.insert(p) {
                return p;
            }
        }
    }

    pub fn ip_in(&mut self, rng: &mut Rng, p: [u8; 3]) -> IpAddr {
        loop {
            let ip = IpAddr::V4(Ipv4Addr::new(p[0], p[1], p[2], rng.range(2, 254) as u8));
            if self.ips.insert(ip) {
                return ip;
            }
        }
    }

    pub fn residential_prefix(&mut self, rng: &mut Rng) -> [u8; 3] {
        let (a, b) = *rng.pick(RESIDENTIAL);
        self.fresh_prefix(rng, a, Some(b))
    }

    pub fn mobile_nat(&mut self, rng: &mut Rng) -> IpAddr {
        let (a, b) = *rng.pick(MOBILE);
        let p = self.fresh_prefix(rng, a, Some(b));
        self.ip_in(rng, p)
    }

    /// An address in a /24 of its own at a hosting provider.
    pub fn hosting_ip(&mut self, rng: &mut Rng) -> IpAddr {
        let first = *rng.pick(HOSTING);
        let p = self.fresh_prefix(rng, first, None);
        self.ip_in(rng, p)
    }

    /// A residential-proxy /24 (anywhere in the world).
    pub fn proxy_prefix(&mut self, rng: &mut Rng) -> [u8; 3] {
        let first = *rng.pick(PROXY);
        self.fresh_prefix(rng, first, None)
    }

    pub fn proxy_ip(&mut self, rng: &mut Rng) -> IpAddr {
        let p = self.proxy_prefix(rng);
        self.ip_in(rng, p)
    }
}

/// A person: name, e-mail, phone, national id, date of birth.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub national_id: String,
    pub id_type: &'static str,
    pub dob: String,
}

pub fn person(rng: &mut Rng) -> Person {
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let name = format!("{first} {last}");
    let handle: String = first.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let email = format!("{handle}.{}{}@{}", last.to_ascii_lowercase(), rng.range(1, 99), rng.pick(MAIL));
    let year = rng.range(1950, 2006) as u32;
    let month = rng.range(1, 13) as u32;
    let day = rng.range(1, 29) as u32;
    let dob = format!("{year:04}-{month:02}-{day:02}");
    let (phone, national_id, id_type) = if rng.chance(0.7) {
        let phone = format!("+65 {}{} {}", rng.pick(&["8", "9"]), rng.digits(3), rng.digits(4));
        (phone, nric(rng, year), "NRIC")
    } else {
        let phone = format!("+60 1{}-{} {}", rng.range(0, 10), rng.digits(3), rng.digits(4));
        (phone, mykad(rng, year, month, day), "MyKad")
    };
    Person { name, email, phone, national_id, id_type, dob }
}

/// A Singapore NRIC with a valid check letter (S series before 2000, T from 2000).
pub fn nric(rng: &mut Rng, birth_year: u32) -> String {
    let mut digits = [0u8; 7];
    for d in &mut digits {
        *d = rng.below(10) as u8;
    }
    nric_of(if birth_year >= 2000 { 'T' } else { 'S' }, digits)
}

/// ICA's rule: Σ digit × (2,7,6,5,4,3,2), plus 4 for the T series, mod 11 indexes `JZIHGFEDCBA`.
pub fn nric_of(prefix: char, digits: [u8; 7]) -> String {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let offset = if prefix == 'T' { 4 } else { 0 };
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum::<u32>() + offset;
    let mut s = String::with_capacity(9);
    s.push(prefix);
    for d in digits {
        s.push(char::from(b'0' + d));
    }
    s.push(b"JZIHGFEDCBA"[(sum % 11) as usize] as char);
    s
}

/// A Malaysian MyKad number: YYMMDD, a state-of-birth code, 4 digits (formatted `-`).
pub fn mykad(rng: &mut Rng, year: u32, month: u32, day: u32) -> String {
    format!("{:02}{month:02}{day:02}-{:02}-{}", year % 100, rng.range(1, 15), rng.digits(4))
}

/// The bank's book and the caches of generated bodies.
pub struct Bank {
    pub seed: u64,
    /// Benign customers first, then the rogue customers attack scripts log in as.
    pub customers: Vec<Customer>,
    pub benign_customers: usize,
    pub owners: BTreeMap<u64, usize>,
    pub nets: Nets,
    tx_cache: RefCell<HashMap<(u64, u32), String>>,
    dir_cache: RefCell<HashMap<u32, String>>,
}

/// Rogue customers (attackers with an account of their own): created up front so a per-family
/// scenario has the same book as the full one.
pub const ROGUES: usize = 12;

impl Bank {
    pub fn new(seed: u64, benign: usize) -> Bank {
        let mut rng = Rng::derive(seed, "bank", 0);
        let mut nets = Nets::default();
        // Home networks: several customers per residential /24.
        let home_prefixes: Vec<[u8; 3]> =
            (0..benign.div_ceil(6).max(4)).map(|_| nets.residential_prefix(&mut rng)).collect();
        let nat: Vec<IpAddr> = (0..4).map(|_| nets.mobile_nat(&mut rng)).collect();
        let mut customers: Vec<Customer> = Vec::with_capacity(benign + ROGUES);
        let mut owners = BTreeMap::new();
        for index in 0..benign + ROGUES {
            let rogue = index >= benign;
            let p = person(&mut rng);
            let sub =
                if rogue { format!("cust-9{:04}", index - benign) } else { format!("cust-{:05}", index + 1) };
            let home_ip = if rogue {
                // Rogues bring their own address: the attack assigns one.
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            } else if index > 0 && rng.chance(0.08) {
                // A household: the same address as another customer.
                customers[rng.index(index)].home_ip
            } else {
                let prefix = *rng.pick(&home_prefixes);
                nets.ip_in(&mut rng, prefix)
            };
            let app = rng.chance(0.45).then(|| (*rng.pick(APP_UAS), rng.hex(16).to_ascii_uppercase()));
            let mobile_ip = (app.is_some() && rng.chance(0.6)).then(|| *rng.pick(&nat));
            let n_accounts = if rng.chance(0.5) {
                1
            } else if rng.chance(0.7) {
                2
            } else {
                3
            };
            let mut accounts = Vec::new();
            for k in 0..n_accounts {
                let id = loop {
                    let id = rng.range(100_000, 104_000) as u64;
                    if !owners.contains_key(&id) {
                        break id;
                    }
                };
                owners.insert(id, index);
                let (kind, currency) = match k {
                    0 => ("savings", "SGD"),
                    1 => ("current", "SGD"),
                    _ => ("multi-currency", "USD"),
                };
                accounts.push(Account { id, kind, currency, balance_cents: rng.range(5_000, 8_000_000) });
            }
            let beneficiaries = (0..rng.range(1, 6))
                .map(|k| Beneficiary {
                    id: 1 + k as u32,
                    name: person(&mut rng).name,
                    bank: BANKS[rng.index(BANKS.len())],
                    last4: rng.digits(4),
                })
                .collect();
            customers.push(Customer {
                sub,
                username: p.email.clone(),
                password: format!(
                    "{}{}!",
                    rng.pick(&["Sunflower", "Merlion", "Durian", "Kopi", "Orchid"]),
                    rng.digits(4)
                ),
                name: p.name,
                phone: p.phone,
                national_id: p.national_id,
                id_type: p.id_type,
                dob: p.dob,
                accounts,
                beneficiaries,
                home_ip,
                mobile_ip,
                web_ua: BROWSER_UAS[rng.index(BROWSER_UAS.len())],
                app,
            });
        }
        Bank {
            seed,
            customers,
            benign_customers: benign,
            owners,
            nets,
            tx_cache: RefCell::new(HashMap::new()),
            dir_cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn rogue(&self, n: usize) -> usize {
        self.benign_customers + n
    }

    // ---- response bodies ----

    pub fn accounts_body(&self, c: usize) -> String {
        let mut s = String::from("[");
        for (i, a) in self.customers[c].accounts.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                r#"{{"id":{},"type":"{}","currency":"{}","balance":{}.{:02},"masked_number":"****{}"}}"#,
                a.id,
                a.kind,
                a.currency,
                a.balance_cents / 100,
                a.balance_cents % 100,
                a.id % 10_000
            );
        }
        s.push(']');
        s
    }

    pub fn account_body(&self, id: u64) -> String {
        let owner = self.owners[&id];
        let c = &self.customers[owner];
        let a = c.accounts.iter().find(|a| a.id == id).expect("owner has the account");
        format!(
            r#"{{"id":{},"type":"{}","currency":"{}","balance":{}.{:02},"available":{}.{:02},"holder":"{}","masked_number":"****{}","status":"active"}}"#,
            a.id,
            a.kind,
            a.currency,
            a.balance_cents / 100,
            a.balance_cents % 100,
            a.balance_cents / 100,
            a.balance_cents % 100,
            c.name,
            a.id % 10_000
        )
    }

    /// A page of 20 transactions of an account (deterministic per account and page).
    pub fn transactions_body(&self, account: u64, page: u32) -> String {
        if let Some(body) = self.tx_cache.borrow().get(&(account, page)) {
            return body.clone();
        }
        let mut rng = Rng::derive(self.seed, "tx", account * 10_000 + u64::from(page));
        let mut s = String::with_capacity(20 * 150);
        s.push('[');
        for i in 0..20u32 {
            if i > 0 {
                s.push(',');
            }
            let cents = rng.range(150, 45_000);
            let day = 28 - ((page * 20 + i) / 8).min(27);
            let _ = write!(
                s,
                r#"{{"id":"tx-{}{:03}","date":"2025-02-{day:02}","merchant":"{}","amount":-{}.{:02},"currency":"SGD","card":"4111********1111"}}"#,
                account,
                page * 20 + i,
                rng.pick(MERCHANTS),
                cents / 100,
                cents % 100
            );
        }
        s.push(']');
        self.tx_cache.borrow_mut().insert((account, page), s.clone());
        s
    }

    pub fn beneficiaries_body(&self, c: usize) -> String {
        let mut s = String::from("[");
        for (i, b) in self.customers[c].beneficiaries.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                r#"{{"id":{},"name":"{}","bank":"{}","account":"****{}"}}"#,
                b.id, b.name, b.bank, b.last4
            );
        }
        s.push(']');
        s
    }

    /// `GET /customers/me`: the customer's own PII.
    pub fn me_body(&self, c: usize) -> String {
        let c = &self.customers[c];
        format!(
            r#"{{"id":"{}","name":"{}","email":"{}","phone":"{}","id_type":"{}","national_id":"{}","date_of_birth":"{}","address":{{"country":"{}"}}}}"#,
            c.sub,
            c.name,
            c.username,
            c.phone,
            c.id_type,
            c.national_id,
            c.dob,
            if c.id_type == "NRIC" { "SG" } else { "MY" }
        )
    }

    /// `GET /customers?page=N`: the staff directory, 50 customers a page with their PII.
    pub fn directory_body(&self, page: u32) -> String {
        if let Some(body) = self.dir_cache.borrow().get(&page) {
            return body.clone();
        }
        let mut rng = Rng::derive(self.seed, "directory", u64::from(page));
        let mut s = String::with_capacity(50 * 190);
        let _ = write!(s, r#"{{"page":{page},"per_page":50,"total":48213,"data":["#);
        for i in 0..50u32 {
            if i > 0 {
                s.push(',');
            }
            let p = person(&mut rng);
            let _ = write!(
                s,
                r#"{{"id":"cust-{}","name":"{}","email":"{}","phone":"{}","national_id":"{}","date_of_birth":"{}"}}"#,
                100_000 + (page - 1) * 50 + i,
                p.name,
                p.email,
                p.phone,
                p.national_id,
                p.dob
            );
        }
        s.push_str("]}");
        self.dir_cache.borrow_mut().insert(page, s.clone());
        s
    }
}

pub const FX_BODY: &str = r#"{"base":"SGD","as_of":"2025-03-03T01:00:00Z","rates":{"USD":0.7412,"MYR":3.4871,"EUR":0.7093,"GBP":0.5871,"JPY":111.92,"CNY":5.3771}}"#;
pub const NOT_FOUND: &str = r#"{"error":"not_found"}"#;
pub const FORBIDDEN: &str = r#"{"error":"forbidden"}"#;
pub const UNAUTHORIZED: &str = r#"{"error":"unauthorized"}"#;
pub const BAD_CREDENTIALS: &str = r#"{"error":"invalid_credentials"}"#;
pub const UNAVAILABLE: &str = r#"{"error":"service_unavailable"}"#;

#[cfg(test)]
mod tests {
    #[test]
    fn nric_check_letters_follow_ica_rule() {
        assert_eq!(super::nric_of('S', [1, 2, 3, 4, 5, 6, 7]), "S1234567D");
        assert_eq!(super::nric_of('T', [0, 1, 2, 3, 4, 5, 6]), "T0123456G");
    }
}

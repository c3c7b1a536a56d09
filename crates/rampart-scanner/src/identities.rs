//! `identities.toml`: who the scanner acts as. At least two ordinary identities make the
//! cross-identity tests (BOLA, BFLA) possible; an admin identity shows which operations are
//! admin-only. Each identity has static credentials (`bearer`, `api_key`, `cookie`, `headers`)
//! or a `login` flow the scanner runs first. Any string may be `${env:NAME}`, so that CI keeps
//! passwords in its secret store rather than in the file.
//!
//! ```toml
//! [[identity]]
//! name = "alice"
//! role = "user"
//! [identity.login]
//! path = "/oauth/token"
//! form = { grant_type = "password", username = "alice", password = "${env:ALICE_PASSWORD}" }
//! token = "/access_token"
//! username = "alice"
//! password = "${env:ALICE_PASSWORD}"
//!
//! [[identity]]
//! name = "ops"
//! role = "admin"
//! api_key = { header = "X-API-Key", value = "${env:OPS_KEY}" }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::client::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::User => "user",
            Role::Admin => "admin",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Header to send the key in (`X-API-Key`).
    #[serde(default)]
    pub header: Option<String>,
    /// Or a query parameter.
    #[serde(default)]
    pub query: Option<String>,
    pub value: String,
}

/// A login the scanner performs to get the identity's credential.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[serde(default = "default_login_method")]
    pub method: String,
    /// Path under the target (`/oauth/token`).
    pub path: String,
    /// An urlencoded form body.
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    /// Or a JSON body.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    /// JSON pointer of the token in the response (`/access_token`); common names are tried
    /// when absent.
    #[serde(default)]
    pub token: Option<String>,
    /// How the token is sent: `bearer` (default), `cookie` (the `Set-Cookie`s of the login
    /// response), or `header:Name`.
    #[serde(default, rename = "use")]
    pub use_as: Option<String>,
    /// The login's own username and password, for the login tests (lockout, enumeration).
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

fn default_login_method() -> String {
    "POST".into()
}

/// One identity as written in the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    pub name: String,
    #[serde(default = "default_role")]
    pub role: Role,
    #[serde(default)]
    pub bearer: Option<String>,
    #[serde(default)]
    pub api_key: Option<ApiKey>,
    #[serde(default)]
    pub cookie: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub login: Option<Login>,
}

fn default_role() -> Role {
    Role::User
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentitiesFile {
    #[serde(default, rename = "identity")]
    identities: Vec<IdentitySpec>,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentitiesError {
    #[error("{file}: cannot read: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: identity `{identity}`: {message}")]
    Invalid { file: String, identity: String, message: String },
}

/// Reads and checks an identities file.
pub fn load(path: &Path) -> Result<Vec<IdentitySpec>, IdentitiesError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|source| IdentitiesError::Read { file: file.clone(), source })?;
    parse(&file, &text, &|name| std::env::var(name).ok())
}

/// Parses `text` (named `file` in errors), resolving `${env:NAME}` with `env`.
pub fn parse(
    file: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<IdentitySpec>, IdentitiesError> {
    let parsed: IdentitiesFile = toml::from_str(text).map_err(|e| IdentitiesError::Parse {
        file: file.into(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for mut identity in parsed.identities {
        let name = identity.name.clone();
        let invalid =
            |message: String| IdentitiesError::Invalid { file: file.into(), identity: name.clone(), message };
        if identity.name.trim().is_empty() {
            return Err(IdentitiesError::Parse {
                file: file.into(),
                message: "an identity has an empty `name`".into(),
            });
        }
        if !seen.insert(identity.name.clone()) {
            return Err(invalid("the name is used twice".into()));
        }
        resolve_env(&mut identity, env).map_err(&invalid)?;
        let credentials = usize::from(identity.bearer.is_some())
            + usize::from(identity.api_key.is_some())
            + usize::from(identity.cookie.is_some())
            + usize::from(!identity.headers.is_empty())
            + usize::from(identity.login.is_some());
        if credentials == 0 {
            return Err(invalid(
                "no credentials: give `bearer`, `api_key`, `cookie`, `headers` or `login`".into(),
            ));
        }
        if let Some(key) = &identity.api_key
            && key.header.is_none() == key.query.is_none()
        {
            return Err(invalid("`api_key` needs exactly one of `header` or `query`".into()));
        }
        if let Some(login) = &identity.login {
            if !login.path.starts_with('/') {
                return Err(invalid(format!(
                    "login.path `{}` must start with `/` (it is under the target)",
                    login.path
                )));
            }
            if login.form.is_some() && login.json.is_some() {
                return Err(invalid("login has both `form` and `json`".into()));
            }
            if let Some(pointer) = &login.token
                && !pointer.starts_with('/')
            {
                return Err(invalid(format!(
                    "login.token `{pointer}` is not a JSON pointer (`/access_token`)"
                )));
            }
            match login.use_as.as_deref() {
                None | Some("bearer") | Some("cookie") => {}
                Some(other) if other.starts_with("header:") && other.len() > 7 => {}
                Some(other) => {
                    return Err(invalid(format!(
                        "login.use `{other}`: expected bearer, cookie or header:Name"
                    )));
                }
            }
            if http::Method::from_bytes(login.method.to_ascii_uppercase().as_bytes()).is_err() {
                return Err(invalid(format!("login.method `{}` is not an HTTP method", login.method)));
            }
        }
        out.push(identity);
    }
    if out.is_empty() {
        return Err(IdentitiesError::Parse {
            file: file.into(),
            message: "no `[[identity]]` entries".into(),
        });
    }
    Ok(out)
}

fn resolve_env(identity: &mut IdentitySpec, env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let one = |field: &str, value: &mut String| -> Result<(), String> {
        let mut out = String::new();
        let mut rest = value.as_str();
        while let Some(start) = rest.find("${env:") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 6..];
            let end = after.find('}').ok_or_else(|| format!("{field}: unclosed `${{env:`"))?;
            let name = &after[..end];
            let resolved =
                env(name).ok_or_else(|| format!("{field}: environment variable {name} is not set"))?;
            out.push_str(&resolved);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        *value = out;
        Ok(())
    };
    if let Some(v) = identity.bearer.as_mut() {
        one("bearer", v)?;
    }
    if let Some(v) = identity.cookie.as_mut() {
        one("cookie", v)?;
    }
    if let Some(key) = identity.api_key.as_mut() {
        one("api_key.value", &mut key.value)?;
    }
    for (name, v) in identity.headers.iter_mut() {
        one(&format!("headers.{name}"), v)?;
    }
    if let Some(login) = identity.login.as_mut() {
        if let Some(form) = login.form.as_mut() {
            for (name, v) in form.iter_mut() {
                one(&format!("login.form.{name}"), v)?;
            }
        }
        if let Some(json) = login.json.as_mut() {
            resolve_json(json, &one, "login.json")?;
        }
        if let Some(v) = login.username.as_mut() {
            one("login.username", v)?;
        }
        if let Some(v) = login.password.as_mut() {
            one("login.password", v)?;
        }
    }
    Ok(())
}

fn resolve_json(
    value: &mut serde_json::Value,
    one: &dyn Fn(&str, &mut String) -> Result<(), String>,
    at: &str,
) -> Result<(), String> {
    match value {
        serde_json::Value::String(s) => one(at, s),
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                resolve_json(v, one, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                resolve_json(v, one, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// An identity ready to use: the credentials to add to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub role: Role,
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// The bearer token, when the identity uses one (JWT tests forge from it).
    pub bearer: Option<String>,
    pub login_username: Option<String>,
    pub login_password: Option<String>,
}

impl Identity {
    /// Static credentials of `spec` (a login adds its token later, [`Identity::with_login_token`]).
    pub fn from_spec(spec: &IdentitySpec) -> Identity {
        let mut headers: Vec<(String, String)> =
            spec.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut query = Vec::new();
        if let Some(token) = &spec.bearer {
            headers.push(("authorization".into(), format!("Bearer {token}")));
        }
        if let Some(key) = &spec.api_key {
            match (&key.header, &key.query) {
                (Some(header), _) => headers.push((header.clone(), key.value.clone())),
                (None, Some(param)) => query.push((param.clone(), key.value.clone())),
                (None, None) => {}
            }
        }
        if let Some(cookie) = &spec.cookie {
            headers.push(("cookie".into(), cookie.clone()));
        }
        Identity {
            name: spec.name.clone(),
            role: spec.role,
            headers,
            query,
            bearer: spec.bearer.clone(),
            login_username: spec.login.as_ref().and_then(|l| l.username.clone()),
            login_password: spec.login.as_ref().and_then(|l| l.password.clone()),
        }
    }

    /// Adds what a login returned, sent as the login says.
    pub fn with_login_token(mut self, use_as: Option<&str>, token: &str) -> Identity {
        match use_as {
            Some("cookie") => {
                self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("cookie"));
                self.headers.push(("cookie".into(), token.into()));
            }
            Some(other) if other.starts_with("header:") => {
                let name = other[7..].to_string();
                self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                self.headers.push((name, token.into()));
            }
            _ => {
                self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
                self.headers.push(("authorization".into(), format!("Bearer {token}")));
                self.bearer = Some(token.into());
            }
        }
        self
    }

    /// `request` with this identity's credentials.
    pub fn apply(&self, mut request: Request) -> Request {
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if !self.query.is_empty() {
            let joiner = if request.path_and_query.contains('?') { '&' } else { '?' };
            let extra: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| {
                    format!("{}={}", crate::plan::encode_component(k), crate::plan::encode_component(v))
                })
                .collect();
            request.path_and_query = format!("{}{joiner}{}", request.path_and_query, extra.join("&"));
        }
        request
    }

    /// The names of the headers and query parameters this identity's credentials travel in,
    /// lower-case: what "the same request without credentials" leaves out.
    pub fn credential_names(&self) -> Vec<String> {
        self.headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .chain(self.query.iter().map(|(n, _)| n.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "ALICE_PW").then(|| "Harbour!2231".to_string())
    }

    #[test]
    fn identities_parse_with_logins_keys_and_env() {
        let text = r#"
[[identity]]
name = "alice"
[identity.login]
path = "/oauth/token"
form = { grant_type = "password", username = "alice", password = "${env:ALICE_PW}" }
token = "/access_token"
username = "alice"
password = "${env:ALICE_PW}"

[[identity]]
name = "ops"
role = "admin"
api_key = { header = "X-API-Key", value = "k-123" }
"#;
        let ids = parse("ids.toml", text, &env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids.len(), 2);
        let login = ids[0].login.as_ref().unwrap_or_else(|| panic!("login"));
        assert_eq!(
            login.form.as_ref().and_then(|f| f.get("password")).map(String::as_str),
            Some("Harbour!2231")
        );
        assert_eq!(ids[1].role, Role::Admin);
        let ops = Identity::from_spec(&ids[1]);
        let request = ops.apply(Request::new(http::Method::GET, "/internal/users"));
        assert!(request.has_header("x-api-key"));
    }

    #[test]
    fn errors_name_the_file_the_identity_and_the_field() {
        let missing_env = "[[identity]]\nname = \"a\"\nbearer = \"${env:NOPE}\"\n";
        let e = parse("ids.toml", missing_env, &env).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "ids.toml: identity `a`: bearer: environment variable NOPE is not set");
        let bad_toml = "[[identity]]\nname = \"a\"\nbearer = \n";
        let e = parse("ids.toml", bad_toml, &env).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("ids.toml: ") && e.contains("line 3"), "{e}");
        let no_creds = "[[identity]]\nname = \"a\"\n";
        assert!(parse("ids.toml", no_creds, &env).is_err());
        let unknown = "[[identity]]\nname = \"a\"\nbearer = \"t\"\ntoken = \"x\"\n";
        let e = parse("ids.toml", unknown, &env).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("unknown field `token`"), "{e}");
        let twice =
            "[[identity]]\nname = \"a\"\nbearer = \"t\"\n[[identity]]\nname = \"a\"\nbearer = \"u\"\n";
        assert!(parse("ids.toml", twice, &env).is_err());
    }
}

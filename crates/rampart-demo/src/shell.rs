//! A tiny **simulated** POSIX shell, for the statement renderer's planted command injection.
//!
//! Nothing here starts a process or touches the file system: the "shell" parses a command line
//! the way `sh -c` would (quotes, `;`, `&&`, `||`, `|`, `&`, newlines, `#` comments, `$(...)` and
//! backtick substitution, `$((...))` arithmetic, `$VAR`, redirections) and runs a handful of
//! simulated commands (`sleep`, `echo`, `printf`, `id`, `whoami`, `uname`, `hostname`, `pwd`,
//! `cat`, `ping`, `expr`, `true`, `false`) plus the programs its caller provides (the demo's
//! `statement-render`). Anything else is `sh: 1: X: not found`.
//!
//! `sleep` (and `ping -c N`) do not block: they add to [`ShellRun::sleep`], capped at
//! [`MAX_SLEEP`] per run, which the caller then waits for. That keeps the interpreter
//! synchronous and lets tests check the requested delay without waiting for it.

use std::time::Duration;

/// The longest total delay one command line may ask for.
pub const MAX_SLEEP: Duration = Duration::from_secs(10);
/// At most this many commands run per command line (substitutions included).
const MAX_COMMANDS: usize = 64;
/// Substitutions nest at most this deep.
const MAX_DEPTH: usize = 8;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
statements:x:1001:1001:Statement renderer,,,:/home/statements:/bin/bash
";
const HOSTNAME: &str = "statements-7f9c4d";
const UNAME_A: &str = "Linux statements-7f9c4d 5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux";
const ID: &str = "uid=33(www-data) gid=33(www-data) groups=33(www-data)";

/// What a simulated command did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exit {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Exit {
    pub fn ok(stdout: impl Into<String>) -> Exit {
        Exit { stdout: stdout.into(), stderr: String::new(), status: 0 }
    }
    pub fn fail(status: i32, stderr: impl Into<String>) -> Exit {
        Exit { stdout: String::new(), stderr: stderr.into(), status }
    }
}

/// The outcome of one command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShellRun {
    /// Standard output and standard error as they were written, interleaved (`2>&1`).
    pub output: String,
    /// The exit status of the last command that ran.
    pub status: i32,
    /// The total delay the line asked for (`sleep`), at most [`MAX_SLEEP`].
    pub sleep: Duration,
    /// The names of the commands that ran, in order (substitutions first).
    pub commands: Vec<String>,
    /// The outcome of each call of a caller-provided program, in order.
    pub program_exits: Vec<(String, Exit)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connector {
    Seq,
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// Unquoted literal text.
    Lit(String),
    /// Quoted literal text (never split).
    Quoted(String),
    /// `$(...)` or backticks: the inner source, and whether it stood inside double quotes.
    Subst(String, bool),
    /// `$((...))`: the expression.
    Arith(String),
    /// `$NAME`: the name, and whether it stood inside double quotes.
    Var(String, bool),
}

type Word = Vec<Seg>;
type Command = Vec<Word>;
type Pipeline = Vec<Command>;
type List = Vec<(Connector, Pipeline)>;

#[derive(Debug)]
struct SyntaxError(String);

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn new(src: &str) -> Parser {
        Parser { chars: src.chars().collect(), pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    /// The source up to the `)` matching an already consumed `(`, which is consumed.
    fn until_close_paren(&mut self) -> Result<String, SyntaxError> {
        let mut depth = 1;
        let mut out = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(out);
                        }
                    }
                    _ => {}
                },
            }
            out.push(c);
        }
        Err(SyntaxError("end of file unexpected (expecting \")\")".into()))
    }

    /// `$((expr))`, with `$((` consumed: the expression, with the closing `))` consumed.
    fn arithmetic(&mut self) -> Result<String, SyntaxError> {
        let mut depth = 0;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == ')' && depth == 0 && self.peek_at(1) == Some(')') {
                self.pos += 2;
                return Ok(out);
            }
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            out.push(c);
            self.pos += 1;
        }
        Err(SyntaxError("end of file unexpected (expecting \"))\")".into()))
    }

    fn backticks(&mut self) -> Result<String, SyntaxError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '`' => return Ok(out),
                '\\' => {
                    if let Some(n) = self.peek() {
                        self.pos += 1;
                        out.push(n);
                    }
                }
                _ => out.push(c),
            }
        }
        Err(SyntaxError("EOF in backquote substitution".into()))
    }

    /// After a `$`: an expansion segment, or a literal `$`.
    fn dollar(&mut self, quoted: bool) -> Result<Seg, SyntaxError> {
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.pos += 2;
                Ok(Seg::Arith(self.arithmetic()?))
            }
            Some('(') => {
                self.pos += 1;
                Ok(Seg::Subst(self.until_close_paren()?, quoted))
            }
            Some('{') => {
                let start = self.pos + 1;
                let Some(len) = self.chars[start..].iter().position(|c| *c == '}') else {
                    return Err(SyntaxError("Bad substitution".into()));
                };
                let name: String = self.chars[start..start + len].iter().collect();
                self.pos = start + len + 1;
                Ok(Seg::Var(name, quoted))
            }
            Some(c) if c == '?' || c == '$' || c == '#' || c.is_ascii_digit() => {
                self.pos += 1;
                Ok(Seg::Var(c.to_string(), quoted))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.pos += 1;
                }
                Ok(Seg::Var(name, quoted))
            }
            _ => Ok(if quoted { Seg::Quoted("$".into()) } else { Seg::Lit("$".into()) }),
        }
    }

    fn double_quoted(&mut self, word: &mut Word) -> Result<(), SyntaxError> {
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(SyntaxError("Unterminated quoted string".into()));
            };
            self.pos += 1;
            match c {
                '"' => break,
                '\\' => match self.peek() {
                    Some(n @ ('"' | '\\' | '$' | '`')) => {
                        self.pos += 1;
                        text.push(n);
                    }
                    Some('\n') => self.pos += 1,
                    _ => text.push('\\'),
                },
                '$' => {
                    word.push(Seg::Quoted(std::mem::take(&mut text)));
                    word.push(self.dollar(true)?);
                }
                '`' => {
                    word.push(Seg::Quoted(std::mem::take(&mut text)));
                    word.push(Seg::Subst(self.backticks()?, true));
                }
                _ => text.push(c),
            }
        }
        word.push(Seg::Quoted(text));
        Ok(())
    }

    /// Skips a redirection's target after `>`, `>>`, `<`, `>&`, `<&`.
    fn skip_redirection(&mut self) {
        while matches!(self.peek(), Some('>' | '<' | '&')) {
            self.pos += 1;
        }
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() || ";&|<>".contains(c) {
                break;
            }
            self.pos += 1;
        }
    }

    fn parse(&mut self) -> Result<List, SyntaxError> {
        let mut list: List = Vec::new();
        let mut pipeline: Pipeline = Vec::new();
        let mut command: Command = Vec::new();
        let mut word: Word = Vec::new();
        let mut in_word = false;
        let mut connector = Connector::Seq;
        let mut lit = String::new();

        fn end_word(word: &mut Word, lit: &mut String, in_word: &mut bool, command: &mut Command) {
            if !lit.is_empty() {
                word.push(Seg::Lit(std::mem::take(lit)));
            }
            if *in_word {
                command.push(std::mem::take(word));
            }
            *in_word = false;
        }

        loop {
            let c = self.peek();
            match c {
                None | Some('\n' | ';' | '&' | '|') => {
                    end_word(&mut word, &mut lit, &mut in_word, &mut command);
                    let op = match c {
                        None => None,
                        Some('&') if self.peek_at(1) == Some('&') => Some("&&"),
                        Some('|') if self.peek_at(1) == Some('|') => Some("||"),
                        Some('&') if self.peek_at(1) == Some('>') => {
                            // `&>file`: a redirection.
                            self.skip_redirection();
                            continue;
                        }
                        Some('\n') => Some("\n"),
                        Some(';') => Some(";"),
                        Some('&') => Some("&"),
                        Some(_) => Some("|"),
                    };
                    if let Some(op) = op {
                        self.pos += op.chars().count();
                    }
                    if op == Some("|") {
                        if command.is_empty() {
                            return Err(SyntaxError("\"|\" unexpected".into()));
                        }
                        pipeline.push(std::mem::take(&mut command));
                        continue;
                    }
                    if command.is_empty() {
                        if !pipeline.is_empty() {
                            // `a |` then end or separator.
                            return Err(SyntaxError(match op {
                                None => "end of file unexpected".into(),
                                Some(o) => format!("\"{}\" unexpected", o.trim()),
                            }));
                        }
                        match op {
                            None => {
                                if connector != Connector::Seq && !list.is_empty() {
                                    return Err(SyntaxError("end of file unexpected".into()));
                                }
                                break;
                            }
                            // Blank lines, and `a &&` newline `b`.
                            Some("\n") => continue,
                            Some(o) => return Err(SyntaxError(format!("\"{o}\" unexpected"))),
                        }
                    }
                    pipeline.push(std::mem::take(&mut command));
                    list.push((connector, std::mem::take(&mut pipeline)));
                    connector = match op {
                        Some("&&") => Connector::And,
                        Some("||") => Connector::Or,
                        _ => Connector::Seq,
                    };
                    if op.is_none() {
                        break;
                    }
                }
                Some(' ' | '\t') => {
                    self.pos += 1;
                    end_word(&mut word, &mut lit, &mut in_word, &mut command);
                }
                Some('#') if !in_word => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                Some('>' | '<') => {
                    // `2>&1`, `>/dev/null`, `<file`: the fd number is not a word.
                    if !lit.is_empty() && word.is_empty() && lit.bytes().all(|b| b.is_ascii_digit()) {
                        lit.clear();
                        in_word = false;
                    } else {
                        end_word(&mut word, &mut lit, &mut in_word, &mut command);
                    }
                    self.skip_redirection();
                }
                Some('\'') => {
                    self.pos += 1;
                    in_word = true;
                    if !lit.is_empty() {
                        word.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    let start = self.pos;
                    let Some(len) = self.chars[start..].iter().position(|c| *c == '\'') else {
                        return Err(SyntaxError("Unterminated quoted string".into()));
                    };
                    word.push(Seg::Quoted(self.chars[start..start + len].iter().collect()));
                    self.pos = start + len + 1;
                }
                Some('"') => {
                    self.pos += 1;
                    in_word = true;
                    if !lit.is_empty() {
                        word.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    self.double_quoted(&mut word)?;
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            self.pos += 1;
                            in_word = true;
                            if !lit.is_empty() {
                                word.push(Seg::Lit(std::mem::take(&mut lit)));
                            }
                            word.push(Seg::Quoted(n.to_string()));
                        }
                        None => {}
                    }
                }
                Some('$') => {
                    self.pos += 1;
                    in_word = true;
                    if !lit.is_empty() {
                        word.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    let seg = self.dollar(false)?;
                    word.push(seg);
                }
                Some('`') => {
                    self.pos += 1;
                    in_word = true;
                    if !lit.is_empty() {
                        word.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    word.push(Seg::Subst(self.backticks()?, false));
                }
                Some(c) => {
                    self.pos += 1;
                    in_word = true;
                    lit.push(c);
                }
            }
        }
        Ok(list)
    }
}

/// Integer arithmetic of `$((...))`: `+ - * / %`, parentheses, unary minus, decimal numbers.
fn arithmetic(expr: &str) -> Result<i64, String> {
    struct P<'a> {
        s: &'a [u8],
        i: usize,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }
        fn expr(&mut self, depth: usize) -> Result<i64, String> {
            let mut v = self.term(depth)?;
            loop {
                self.ws();
                match self.s.get(self.i) {
                    Some(b'+') => {
                        self.i += 1;
                        v = v.wrapping_add(self.term(depth)?);
                    }
                    Some(b'-') => {
                        self.i += 1;
                        v = v.wrapping_sub(self.term(depth)?);
                    }
                    _ => return Ok(v),
                }
            }
        }
        fn term(&mut self, depth: usize) -> Result<i64, String> {
            let mut v = self.factor(depth)?;
            loop {
                self.ws();
                let op = match self.s.get(self.i) {
                    Some(op @ (b'*' | b'/' | b'%')) => *op,
                    _ => return Ok(v),
                };
                self.i += 1;
                let r = self.factor(depth)?;
                v = match op {
                    b'*' => v.wrapping_mul(r),
                    _ if r == 0 => return Err("division by zero".into()),
                    b'/' => v.wrapping_div(r),
                    _ => v.wrapping_rem(r),
                };
            }
        }
        fn factor(&mut self, depth: usize) -> Result<i64, String> {
            if depth > 32 {
                return Err("expression too deep".into());
            }
            self.ws();
            match self.s.get(self.i) {
                Some(b'-') => {
                    self.i += 1;
                    Ok(self.factor(depth + 1)?.wrapping_neg())
                }
                Some(b'+') => {
                    self.i += 1;
                    self.factor(depth + 1)
                }
                Some(b'(') => {
                    self.i += 1;
                    let v = self.expr(depth + 1)?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b')') {
                        return Err("missing ')'".into());
                    }
                    self.i += 1;
                    Ok(v)
                }
                Some(b) if b.is_ascii_digit() => {
                    let start = self.i;
                    while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                        self.i += 1;
                    }
                    std::str::from_utf8(&self.s[start..self.i])
                        .ok()
                        .and_then(|t| t.parse::<i64>().ok())
                        .ok_or_else(|| "number too large".to_string())
                }
                // Unset variables count as 0, as in sh.
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                    while self.s.get(self.i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                        self.i += 1;
                    }
                    Ok(0)
                }
                _ => Err("syntax error".into()),
            }
        }
    }
    let mut p = P { s: expr.as_bytes(), i: 0 };
    let v = p.expr(0)?;
    p.ws();
    if p.i != expr.len() {
        return Err("syntax error".into());
    }
    Ok(v)
}

fn variable(name: &str, last_status: i32) -> String {
    match name {
        "HOME" => "/var/www".into(),
        "USER" | "LOGNAME" => "www-data".into(),
        "PATH" => "/usr/local/bin:/usr/bin:/bin".into(),
        "PWD" => "/var/www/statements".into(),
        "SHELL" => "/bin/sh".into(),
        "HOSTNAME" => HOSTNAME.into(),
        "IFS" => " \t\n".into(),
        "?" => last_status.to_string(),
        "$" => "4127".into(),
        "0" => "sh".into(),
        "#" => "0".into(),
        _ => String::new(),
    }
}

/// A program the caller provides (its name, then its arguments and standard input).
pub type Program<'a> = dyn FnMut(&str, &[String], &str) -> Option<Exit> + 'a;

struct Shell<'p, 'a> {
    run: ShellRun,
    /// Stdout captures (pipes, substitutions); empty: stdout goes to the output.
    captures: Vec<String>,
    last_status: i32,
    programs: &'p mut Program<'a>,
    budget_spent: bool,
}

impl Shell<'_, '_> {
    fn write_stdout(&mut self, text: &str) {
        match self.captures.last_mut() {
            Some(capture) => capture.push_str(text),
            None => self.run.output.push_str(text),
        }
    }

    fn error(&mut self, message: &str) {
        self.run.output.push_str(&format!("sh: 1: {message}\n"));
    }

    /// Expands a word into fields.
    fn expand(&mut self, word: &Word, depth: usize) -> Result<Vec<String>, String> {
        let mut fields: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut has_field = false;
        for seg in word {
            let (text, split) = match seg {
                Seg::Lit(t) | Seg::Quoted(t) => (t.clone(), false),
                Seg::Arith(e) => {
                    // Variables and substitutions inside an arithmetic expression are not supported.
                    (
                        arithmetic(e)
                            .map_err(|m| format!("arithmetic expression: {m}: \"{e}\""))?
                            .to_string(),
                        false,
                    )
                }
                Seg::Var(name, quoted) => (variable(name, self.last_status), !quoted),
                Seg::Subst(source, quoted) => {
                    let mut out = self.substitute(source, depth)?;
                    while out.ends_with('\n') {
                        out.pop();
                    }
                    (out, !quoted)
                }
            };
            if !split {
                current.push_str(&text);
                has_field = true;
                continue;
            }
            // Unquoted expansion results are split on blanks.
            let starts_blank = text.starts_with(char::is_whitespace);
            let ends_blank = text.ends_with(char::is_whitespace);
            let pieces: Vec<&str> = text.split_whitespace().collect();
            if starts_blank && has_field {
                fields.push(std::mem::take(&mut current));
                has_field = false;
            }
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    fields.push(std::mem::take(&mut current));
                }
                current.push_str(piece);
                has_field = true;
            }
            if ends_blank && has_field && !pieces.is_empty() {
                fields.push(std::mem::take(&mut current));
                has_field = false;
            }
        }
        if has_field {
            fields.push(current);
        }
        Ok(fields)
    }

    fn substitute(&mut self, source: &str, depth: usize) -> Result<String, String> {
        if depth >= MAX_DEPTH {
            return Err("substitution nested too deep".into());
        }
        let list = Parser::new(source).parse().map_err(|e| format!("Syntax error: {}", e.0))?;
        self.captures.push(String::new());
        self.exec_list(&list, depth + 1);
        Ok(self.captures.pop().unwrap_or_default())
    }

    fn exec_list(&mut self, list: &List, depth: usize) {
        for (connector, pipeline) in list {
            match connector {
                Connector::And if self.last_status != 0 => continue,
                Connector::Or if self.last_status == 0 => continue,
                _ => {}
            }
            self.exec_pipeline(pipeline, depth);
        }
    }

    fn exec_pipeline(&mut self, pipeline: &Pipeline, depth: usize) {
        let mut stdin = String::new();
        for (i, command) in pipeline.iter().enumerate() {
            let last = i + 1 == pipeline.len();
            if !last {
                self.captures.push(String::new());
            }
            self.exec_command(command, &stdin, depth);
            if !last {
                stdin = self.captures.pop().unwrap_or_default();
            }
        }
    }

    fn exec_command(&mut self, command: &Command, stdin: &str, depth: usize) {
        let mut argv = Vec::new();
        for word in command {
            match self.expand(word, depth) {
                Ok(fields) => argv.extend(fields),
                Err(message) => {
                    self.error(&message);
                    self.last_status = 2;
                    return;
                }
            }
        }
        let Some((name, args)) = argv.split_first() else {
            self.last_status = 0;
            return;
        };
        if self.run.commands.len() >= MAX_COMMANDS {
            if !self.budget_spent {
                self.error("fork: retry: Resource temporarily unavailable");
                self.budget_spent = true;
            }
            self.last_status = 2;
            return;
        }
        let base = name
            .strip_prefix("/usr/local/bin/")
            .or_else(|| name.strip_prefix("/usr/bin/"))
            .or_else(|| name.strip_prefix("/bin/"))
            .unwrap_or(name);
        self.run.commands.push(base.to_owned());
        let exit = match (self.programs)(base, args, stdin) {
            Some(exit) => {
                self.run.program_exits.push((base.to_owned(), exit.clone()));
                exit
            }
            None => self.builtin(name, base, args, stdin),
        };
        self.write_stdout(&exit.stdout);
        self.run.output.push_str(&exit.stderr);
        self.last_status = exit.status;
    }

    fn sleep(&mut self, seconds: f64) {
        let wanted = Duration::from_secs_f64(seconds.clamp(0.0, MAX_SLEEP.as_secs_f64()));
        self.run.sleep = (self.run.sleep + wanted).min(MAX_SLEEP);
    }

    fn builtin(&mut self, name: &str, base: &str, args: &[String], stdin: &str) -> Exit {
        match base {
            "sleep" => {
                let Some(arg) = args.first() else {
                    return Exit::fail(
                        1,
                        "sleep: missing operand\nTry 'sleep --help' for more information.\n",
                    );
                };
                let (number, unit) = match arg.strip_suffix(['s', 'm', 'h', 'd']) {
                    Some(n) => (n, arg.chars().last().unwrap_or('s')),
                    None => (arg.as_str(), 's'),
                };
                match number.parse::<f64>() {
                    Ok(n) if n.is_finite() && n >= 0.0 => {
                        let factor = match unit {
                            'm' => 60.0,
                            'h' => 3600.0,
                            'd' => 86_400.0,
                            _ => 1.0,
                        };
                        self.sleep(n * factor);
                        Exit::ok("")
                    }
                    _ => Exit::fail(
                        1,
                        format!(
                            "sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information.\n"
                        ),
                    ),
                }
            }
            "echo" => {
                let (newline, words) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    Some("-e") => (true, &args[1..]),
                    _ => (true, args),
                };
                let mut out = words.join(" ");
                if newline {
                    out.push('\n');
                }
                Exit::ok(out)
            }
            "printf" => match args.first() {
                Some(format) => Exit::ok(format.replace("\\n", "\n").replace("\\t", "\t")),
                None => Exit::fail(2, "printf: usage: printf format [arguments]\n"),
            },
            "id" => Exit::ok(format!("{ID}\n")),
            "whoami" => Exit::ok("www-data\n"),
            "hostname" => Exit::ok(format!("{HOSTNAME}\n")),
            "pwd" => Exit::ok("/var/www/statements\n"),
            "true" | ":" => Exit::ok(""),
            "false" => Exit::fail(1, ""),
            "uname" => match args.first().map(String::as_str) {
                None | Some("-s") => Exit::ok("Linux\n"),
                Some("-a") => Exit::ok(format!("{UNAME_A}\n")),
                Some("-r") => Exit::ok("5.15.0-105-generic\n"),
                Some("-m") => Exit::ok("x86_64\n"),
                Some("-n") => Exit::ok(format!("{HOSTNAME}\n")),
                Some(other) => {
                    Exit::fail(1, format!("uname: invalid option -- '{}'\n", other.trim_start_matches('-')))
                }
            },
            "cat" => {
                if args.is_empty() {
                    return Exit::ok(stdin);
                }
                let mut exit = Exit::default();
                for file in args {
                    match file.as_str() {
                        "-" => exit.stdout.push_str(stdin),
                        "/etc/passwd" => exit.stdout.push_str(PASSWD),
                        "/etc/hostname" => exit.stdout.push_str(&format!("{HOSTNAME}\n")),
                        other => {
                            exit.stderr.push_str(&format!("cat: {other}: No such file or directory\n"));
                            exit.status = 1;
                        }
                    }
                }
                exit
            }
            "ping" => {
                let count = args
                    .windows(2)
                    .find(|w| w[0] == "-c")
                    .and_then(|w| w[1].parse::<u32>().ok())
                    .unwrap_or(4)
                    .min(20);
                let host = args.iter().rev().find(|a| !a.starts_with('-')).cloned().unwrap_or_default();
                if host.is_empty() || (host.parse::<u32>().is_ok() && args.len() <= 2) {
                    return Exit::fail(2, "ping: usage error: Destination address required\n");
                }
                // One echo a second: N pings take N - 1 seconds.
                self.sleep(f64::from(count.saturating_sub(1)));
                let mut out = format!("PING {host} ({host}) 56(84) bytes of data.\n");
                for seq in 1..=count {
                    out.push_str(&format!("64 bytes from {host}: icmp_seq={seq} ttl=64 time=0.041 ms\n"));
                }
                out.push_str(&format!(
                    "\n--- {host} ping statistics ---\n{count} packets transmitted, {count} received, 0% packet loss\n"
                ));
                Exit::ok(out)
            }
            "expr" => match arithmetic(&args.join(" ")) {
                Ok(v) => Exit { stdout: format!("{v}\n"), stderr: String::new(), status: i32::from(v == 0) },
                Err(_) => Exit::fail(2, "expr: syntax error\n"),
            },
            _ => Exit::fail(127, format!("sh: 1: {name}: not found\n")),
        }
    }
}

/// Runs `line` as `sh -c` would, with `programs` answering for the commands it knows (it returns
/// `None` for the others, which the shell then simulates or reports as not found).
pub fn run(line: &str, programs: &mut Program<'_>) -> ShellRun {
    let mut shell = Shell {
        run: ShellRun::default(),
        captures: Vec::new(),
        last_status: 0,
        programs,
        budget_spent: false,
    };
    match Parser::new(line).parse() {
        Ok(list) => shell.exec_list(&list, 0),
        Err(SyntaxError(message)) => {
            shell.error(&format!("Syntax error: {message}"));
            shell.last_status = 2;
        }
    }
    shell.run.status = shell.last_status;
    shell.run
}

/// The statement renderer's command line as the statements service builds it: nothing quoted.
pub fn statement_command_line(year_month: &str, format: &str) -> String {
    format!("statement-render --month {year_month} --format {format}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(line: &str) -> ShellRun {
        run(line, &mut |name, args, _| {
            (name == "render").then(|| match args.first().map(String::as_str) {
                Some("ok") => Exit::ok("RENDERED\n"),
                Some(other) => Exit::fail(2, format!("render: bad argument '{other}'\n")),
                None => Exit::fail(2, "render: missing argument\n"),
            })
        })
    }

    #[test]
    fn separators_run_one_command_after_another() {
        let r = sh("render ok; id");
        assert_eq!(r.output, format!("RENDERED\n{ID}\n"));
        assert_eq!(r.commands, ["render", "id"]);
        assert_eq!(sh("render ok && whoami").output, "RENDERED\nwww-data\n");
        assert_eq!(sh("render bad && whoami").status, 2);
        assert!(!sh("render bad && whoami").output.contains("www-data"));
        assert_eq!(sh("render bad || whoami").output, "render: bad argument 'bad'\nwww-data\n");
        assert_eq!(sh("render ok || whoami").output, "RENDERED\n");
        assert_eq!(sh("render ok\nid").commands, ["render", "id"]);
        assert_eq!(sh("render ok & id").commands, ["render", "id"]);
        // A pipe feeds the next command; only the last one's output shows.
        assert_eq!(sh("render ok | id").output, format!("{ID}\n"));
        assert_eq!(sh("render ok | cat").output, "RENDERED\n");
    }

    #[test]
    fn substitutions_and_arithmetic_expand() {
        assert_eq!(sh("echo R$((6*7))").output, "R42\n");
        assert_eq!(sh("echo $((2+3*(4-1)))").output, "11\n");
        assert_eq!(sh("render ok$(whoami)").output, "render: bad argument 'okwww-data'\n");
        assert_eq!(sh("render `echo ok`").output, "RENDERED\n");
        assert_eq!(sh("echo \"$(id)\"").output, format!("{ID}\n"));
        // Unquoted substitution results are split into fields.
        let r = sh("render x$(id)");
        assert_eq!(r.output, "render: bad argument 'xuid=33(www-data)'\n");
        assert_eq!(sh("cat${IFS}/etc/passwd").output, PASSWD);
        assert!(sh("echo $((1/0))").output.contains("division by zero"));
        assert_eq!(sh("echo '$(id)' \"a b\"").output, "$(id) a b\n");
    }

    #[test]
    fn sleep_is_recorded_and_capped_never_slept() {
        assert_eq!(sh("render ok; sleep 5").sleep, Duration::from_secs(5));
        assert_eq!(sh("sleep 0.5").sleep, Duration::from_millis(500));
        assert_eq!(sh("sleep 100").sleep, MAX_SLEEP);
        assert_eq!(sh("sleep 8; sleep 8").sleep, MAX_SLEEP);
        assert_eq!(sh("render ok$(sleep 3)").sleep, Duration::from_secs(3));
        assert_eq!(sh("render bad && sleep 3").sleep, Duration::ZERO);
        assert_eq!(sh("ping -c 6 127.0.0.1").sleep, Duration::from_secs(5));
        let bad = sh("sleep abc");
        assert_eq!((bad.status, bad.sleep), (1, Duration::ZERO));
        assert!(bad.output.starts_with("sleep: invalid time interval 'abc'"));
    }

    #[test]
    fn unknown_commands_syntax_errors_and_redirections() {
        let r = sh("render ok; nosuchcmd");
        assert_eq!(r.output, "RENDERED\nsh: 1: nosuchcmd: not found\n");
        assert_eq!(r.status, 127);
        assert!(sh("render 'ok").output.contains("Unterminated quoted string"));
        assert!(sh("; id").output.contains("Syntax error"));
        assert!(sh("render ok |").output.contains("Syntax error"));
        assert_eq!(sh("render ok 2>&1; id >/dev/null").commands, ["render", "id"]);
        assert_eq!(sh("render ok # ; id").commands, ["render"]);
        assert_eq!(sh("/usr/bin/id").output, format!("{ID}\n"));
        assert!(sh("uname -a").output.starts_with("Linux "));
        assert!(sh("cat /etc/passwd").output.starts_with("root:x:0:0:"));
        assert_eq!(sh("cat /etc/shadow").status, 1);
        let many = "id;".repeat(100);
        assert_eq!(sh(&many).commands.len(), MAX_COMMANDS);
    }
}

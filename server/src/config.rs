//! Configuration from the environment. Every variable has a default that runs a local
//! instance; a value that cannot be used stops start-up with one line naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use funding::{Amount, Catalog, Settings};
use rust_decimal::Decimal;
use time::Duration;

/// The default idle lifetime of a session: a week without a visit ends it.
const DEFAULT_SESSION_IDLE_SECONDS: i64 = 7 * 24 * 60 * 60;

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `TWOFOLD_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `TWOFOLD_DATABASE_URL`: the SQLite database, created when missing.
    pub database_url: String,
    /// `TWOFOLD_SITE_ROOT`: the folder holding `pkg/` (the wasm, its JS glue and the CSS).
    pub site_root: PathBuf,
    /// `TWOFOLD_SECURE_COOKIES=1`: mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// `TWOFOLD_SESSION_IDLE_SECONDS`: how long a session may go unused before it ends.
    pub session_idle_timeout: Duration,
    /// `TWOFOLD_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `TWOFOLD_CURRENCY`, `TWOFOLD_DISPLAY_DECIMALS`, `TWOFOLD_LOCK_WINDOW_SECONDS`,
    /// `TWOFOLD_FUNDING_FEE_FLAT`, `TWOFOLD_FUNDING_FEE_PERCENT`, `TWOFOLD_MAX_AMOUNT`.
    pub settings: Settings,
    /// `TWOFOLD_CATALOG`: a TOML file that replaces the built-in catalog.
    pub catalog: Catalog,
    /// `TWOFOLD_METERING_TOKEN`: the bearer token of the metering endpoints; unset turns them
    /// off (they answer 404).
    pub metering_token: Option<String>,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, which answers a variable's value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|value| !value.trim().is_empty());

        let addr = match var("TWOFOLD_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(value) => value.trim().parse().map_err(|_| ConfigError {
                variable: "TWOFOLD_ADDR",
                problem: format!("{value:?} is not an address and port like 127.0.0.1:3000"),
            })?,
        };
        let database_url = match var("TWOFOLD_DATABASE_URL") {
            None => "sqlite://data/twofold.db".to_owned(),
            Some(value) if value.starts_with("sqlite:") => value,
            Some(value) => {
                return Err(ConfigError {
                    variable: "TWOFOLD_DATABASE_URL",
                    problem: format!("{value:?} is not a SQLite URL like sqlite://data/twofold.db"),
                });
            }
        };
        let site_root = PathBuf::from(var("TWOFOLD_SITE_ROOT").unwrap_or("target/site".into()));
        let secure_cookies = parse_flag("TWOFOLD_SECURE_COOKIES", var("TWOFOLD_SECURE_COOKIES"))?;
        let session_idle_seconds = match var("TWOFOLD_SESSION_IDLE_SECONDS") {
            None => DEFAULT_SESSION_IDLE_SECONDS,
            Some(value) => value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ConfigError {
                    variable: "TWOFOLD_SESSION_IDLE_SECONDS",
                    problem: format!("{value:?} is not a whole number of seconds above 0"),
                })?,
        };
        let log_format = match var("TWOFOLD_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    variable: "TWOFOLD_LOG_FORMAT",
                    problem: format!("{other:?} is neither \"text\" nor \"json\""),
                });
            }
        };

        let settings = parse_settings(&var)?;
        let catalog = match var("TWOFOLD_CATALOG") {
            None => Catalog::built_in(),
            Some(path) => Catalog::load(path.trim()).map_err(|error| ConfigError {
                variable: "TWOFOLD_CATALOG",
                problem: error.to_string(),
            })?,
        };
        catalog
            .check_fundable(&settings.amount_rules())
            .map_err(|error| ConfigError {
                variable: "TWOFOLD_CATALOG",
                problem: format!(
                    "{error}; change the catalog, or TWOFOLD_MAX_AMOUNT or \
                     TWOFOLD_DISPLAY_DECIMALS"
                ),
            })?;
        let metering_token = var("TWOFOLD_METERING_TOKEN").map(|token| token.trim().to_owned());

        Ok(Self {
            addr,
            database_url,
            site_root,
            secure_cookies,
            session_idle_timeout: Duration::seconds(session_idle_seconds),
            log_format,
            settings,
            catalog,
            metering_token,
        })
    }
}

fn parse_settings(var: &dyn Fn(&'static str) -> Option<String>) -> Result<Settings, ConfigError> {
    let defaults = Settings::default();
    let settings = Settings {
        currency: var("TWOFOLD_CURRENCY").map_or(defaults.currency, |c| c.trim().to_owned()),
        display_decimals: parse_number(var, "TWOFOLD_DISPLAY_DECIMALS", defaults.display_decimals)?,
        lock_window_seconds: parse_number(
            var,
            "TWOFOLD_LOCK_WINDOW_SECONDS",
            defaults.lock_window_seconds,
        )?,
        funding_fee_flat: parse_config_amount(var, "TWOFOLD_FUNDING_FEE_FLAT")?
            .unwrap_or(defaults.funding_fee_flat),
        funding_fee_percent: parse_decimal(var, "TWOFOLD_FUNDING_FEE_PERCENT")?
            .unwrap_or(defaults.funding_fee_percent),
        max_amount: parse_config_amount(var, "TWOFOLD_MAX_AMOUNT")?.unwrap_or(defaults.max_amount),
        ..defaults
    };
    settings.validate().map_err(|error| {
        let variable = match error {
            funding::SettingsError::Currency(_) => "TWOFOLD_CURRENCY",
            funding::SettingsError::DisplayDecimals(_) => "TWOFOLD_DISPLAY_DECIMALS",
            funding::SettingsError::LockWindow(_) => "TWOFOLD_LOCK_WINDOW_SECONDS",
            funding::SettingsError::FeePercent(_) => "TWOFOLD_FUNDING_FEE_PERCENT",
            funding::SettingsError::MaxAmount => "TWOFOLD_MAX_AMOUNT",
            funding::SettingsError::UnlockLimits => "TWOFOLD_UNLOCK_ATTEMPTS",
        };
        ConfigError {
            variable,
            problem: error.to_string(),
        }
    })?;
    Ok(settings)
}

fn parse_number<T: FromStr>(
    var: &dyn Fn(&'static str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match var(variable) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError {
            variable,
            problem: format!("{value:?} is not a whole number"),
        }),
    }
}

/// A plain non-negative decimal, exact; floats never enter.
fn parse_decimal(
    var: &dyn Fn(&'static str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<Decimal>, ConfigError> {
    let Some(value) = var(variable) else {
        return Ok(None);
    };
    let parsed = Decimal::from_str_exact(value.trim())
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| ConfigError {
            variable,
            problem: format!("{value:?} is not a plain decimal of zero or more, like 2.5"),
        })?;
    Ok(Some(parsed))
}

fn parse_config_amount(
    var: &dyn Fn(&'static str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<Amount>, ConfigError> {
    let Some(decimal) = parse_decimal(var, variable)? else {
        return Ok(None);
    };
    Amount::from_decimal(decimal)
        .map(Some)
        .ok_or_else(|| ConfigError {
            variable,
            problem: format!("{decimal} has more than 6 decimals or is too large"),
        })
}

fn parse_flag(variable: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(ConfigError {
            variable,
            problem: format!("{other:?} is not 1 or 0"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A temporary file holding `text`; removed when dropped.
    fn tempfile_with(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    fn config_with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_serve_locally_with_the_embedded_database() {
        let config = config_with(&[]).unwrap();

        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url, "sqlite://data/twofold.db");
        assert!(!config.secure_cookies);
        assert_eq!(config.session_idle_timeout, Duration::days(7));
        assert_eq!(config.settings, Settings::default());
        assert!(config.catalog.models().len() >= 4);
        assert_eq!(config.metering_token, None);
    }

    #[test]
    fn money_settings_are_read_exactly() {
        let config = config_with(&[
            ("TWOFOLD_CURRENCY", "EUR"),
            ("TWOFOLD_FUNDING_FEE_FLAT", "0.30"),
            ("TWOFOLD_FUNDING_FEE_PERCENT", "2.9"),
            ("TWOFOLD_LOCK_WINDOW_SECONDS", "5"),
        ])
        .unwrap();

        assert_eq!(config.settings.currency, "EUR");
        assert_eq!(
            config.settings.funding_fee_flat,
            Amount::from_micros(300_000).unwrap()
        );
        assert_eq!(
            config.settings.funding_fee_percent,
            Decimal::from_str_exact("2.9").unwrap()
        );
        assert_eq!(config.settings.lock_window_seconds, 5);
    }

    #[test]
    fn each_unusable_value_names_its_variable() {
        let cases = [
            ("TWOFOLD_ADDR", "localhost"),
            ("TWOFOLD_DATABASE_URL", "postgres://x"),
            ("TWOFOLD_SECURE_COOKIES", "yes"),
            ("TWOFOLD_SESSION_IDLE_SECONDS", "-5"),
            ("TWOFOLD_LOG_FORMAT", "xml"),
            ("TWOFOLD_CURRENCY", "dollars"),
            ("TWOFOLD_DISPLAY_DECIMALS", "7"),
            ("TWOFOLD_LOCK_WINDOW_SECONDS", "a day"),
            ("TWOFOLD_FUNDING_FEE_FLAT", "-1"),
            ("TWOFOLD_FUNDING_FEE_FLAT", "0.0000001"),
            ("TWOFOLD_FUNDING_FEE_PERCENT", "1e2"),
            ("TWOFOLD_FUNDING_FEE_PERCENT", "101"),
            ("TWOFOLD_MAX_AMOUNT", "0"),
            ("TWOFOLD_CATALOG", "/no/such/catalog.toml"),
        ];
        for (variable, value) in cases {
            let error = config_with(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable);
            assert!(error.to_string().starts_with(variable), "{error}");
        }
    }

    #[test]
    fn a_catalog_minimum_no_one_could_fund_stops_start_up() {
        let cases = [
            ("TWOFOLD_MAX_AMOUNT", "1"),
            ("TWOFOLD_DISPLAY_DECIMALS", "0"),
        ];
        for (variable, value) in cases {
            let catalog = tempfile_with(
                "[[models]]\nid = \"m\"\nname = \"M\"\nprovider = \"P\"\n\
                 input_price_per_mtok = \"1\"\noutput_price_per_mtok = \"1\"\n\
                 minimum_initial_amount = \"2.50\"\nminimum_top_up_amount = \"1.00\"\n",
            );
            let path = catalog.path().to_string_lossy().into_owned();

            let error = config_with(&[(variable, value), ("TWOFOLD_CATALOG", &path)]).unwrap_err();

            assert_eq!(error.variable, "TWOFOLD_CATALOG", "{variable}={value}");
            assert!(
                error.to_string().contains("minimum_initial_amount"),
                "{error}"
            );
        }
        let fine = config_with(&[("TWOFOLD_DISPLAY_DECIMALS", "2")]);
        assert!(fine.is_ok());
    }
}

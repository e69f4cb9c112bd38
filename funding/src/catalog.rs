//! The catalog of models people can fund: prices per million tokens and funding minimums.
//!
//! A deployment uses the built-in catalog or replaces it with a TOML file:
//!
//! ```toml
//! [[models]]
//! id = "claude-sonnet-4-5"
//! name = "Claude Sonnet 4.5"
//! provider = "Anthropic"
//! input_price_per_mtok = "3.00"
//! output_price_per_mtok = "15.00"
//! minimum_initial_amount = "10.00"
//! minimum_top_up_amount = "5.00"
//! ```
//!
//! Amounts are strings (or whole numbers) so they stay exact; a TOML float is refused.

use std::collections::HashSet;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::ModelId;
use crate::money::{Amount, AmountRules, parse_amount};

/// Longest model id accepted; ids appear in URLs and log fields.
const MAX_MODEL_ID_CHARS: usize = 64;

/// Longest model name or provider accepted; they are shown in one line of a page.
const MAX_LABEL_CHARS: usize = 100;

/// One model of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub id: ModelId,
    pub name: String,
    pub provider: String,
    pub input_price_per_mtok: Amount,
    pub output_price_per_mtok: Amount,
    /// The least the first funding of this model may move. Above zero.
    pub minimum_initial_amount: Amount,
    /// The least each later top-up may move. Above zero.
    pub minimum_top_up_amount: Amount,
}

/// The validated catalog: at least one model, ids unique, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    models: Vec<Model>,
}

/// Why a catalog was refused; each names the model and the field.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("could not read the catalog file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the catalog is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("the catalog has no models; add at least one [[models]] table")]
    Empty,
    #[error("model #{position}: field `{field}` is missing")]
    Missing {
        position: usize,
        field: &'static str,
    },
    #[error(
        "model {id:?}: the id must be 1–{MAX_MODEL_ID_CHARS} characters of a–z, 0–9, '.', '_' \
         or '-'"
    )]
    InvalidId { id: String },
    #[error("model {id:?} appears twice; ids must be unique")]
    DuplicateId { id: String },
    #[error("model {id:?}: field `{field}` must be 1–{MAX_LABEL_CHARS} characters")]
    InvalidLabel { id: String, field: &'static str },
    #[error(
        "model {id:?}: field `{field}` must be an exact amount as a string, such as \"3.00\" \
         ({reason})"
    )]
    InvalidAmount {
        id: String,
        field: &'static str,
        reason: &'static str,
    },
    #[error("model {id:?}: field `{field}` must be above zero")]
    NotPositive { id: String, field: &'static str },
    #[error("model {id:?}: field `{field}` is {amount}, which no one could fund here: {reason}")]
    Unfundable {
        id: String,
        field: &'static str,
        amount: String,
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    models: Vec<ModelFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    id: Option<String>,
    name: Option<String>,
    provider: Option<String>,
    input_price_per_mtok: Option<toml::Value>,
    output_price_per_mtok: Option<toml::Value>,
    minimum_initial_amount: Option<toml::Value>,
    minimum_top_up_amount: Option<toml::Value>,
}

impl Catalog {
    /// Builds a catalog from models, validating every rule a file must follow.
    pub fn new(models: Vec<Model>) -> Result<Self, CatalogError> {
        if models.is_empty() {
            return Err(CatalogError::Empty);
        }
        let mut seen = HashSet::new();
        for model in &models {
            validate_model(model)?;
            if !seen.insert(&model.id) {
                return Err(CatalogError::DuplicateId {
                    id: model.id.0.clone(),
                });
            }
        }
        Ok(Self { models })
    }

    /// Parses and validates a catalog file's text.
    pub fn from_toml_str(text: &str) -> Result<Self, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        let models = file
            .models
            .into_iter()
            .enumerate()
            .map(|(index, model)| model_from_file(index + 1, model))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(models)
    }

    /// Reads, parses and validates the catalog file at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// The built-in catalog: a few current models with their list prices in USD.
    pub fn built_in() -> Self {
        let model =
            |id: &str, name: &str, provider: &str, prices: [i64; 2], minimums: [u32; 2]| Model {
                id: ModelId(id.to_owned()),
                name: name.to_owned(),
                provider: provider.to_owned(),
                input_price_per_mtok: Amount::from_micros(prices[0]).unwrap_or_default(),
                output_price_per_mtok: Amount::from_micros(prices[1]).unwrap_or_default(),
                minimum_initial_amount: Amount::from_units(minimums[0]),
                minimum_top_up_amount: Amount::from_units(minimums[1]),
            };
        Self {
            models: vec![
                model(
                    "claude-sonnet-4-5",
                    "Claude Sonnet 4.5",
                    "Anthropic",
                    [3_000_000, 15_000_000],
                    [10, 5],
                ),
                model(
                    "claude-haiku-4-5",
                    "Claude Haiku 4.5",
                    "Anthropic",
                    [1_000_000, 5_000_000],
                    [5, 2],
                ),
                model(
                    "gpt-4o",
                    "GPT-4o",
                    "OpenAI",
                    [2_500_000, 10_000_000],
                    [10, 5],
                ),
                model(
                    "gpt-4o-mini",
                    "GPT-4o mini",
                    "OpenAI",
                    [150_000, 600_000],
                    [5, 2],
                ),
                model(
                    "gemini-2.5-flash",
                    "Gemini 2.5 Flash",
                    "Google",
                    [300_000, 2_500_000],
                    [5, 2],
                ),
                model(
                    "mistral-large",
                    "Mistral Large",
                    "Mistral AI",
                    [2_000_000, 6_000_000],
                    [10, 5],
                ),
            ],
        }
    }

    /// Checks that every minimum can be typed and moved under this deployment's amount rules:
    /// no more decimals than it accepts, and not above its maximum per operation. A model
    /// whose minimum breaks either could never be funded.
    pub fn check_fundable(&self, rules: &AmountRules) -> Result<(), CatalogError> {
        for model in &self.models {
            for (field, minimum) in [
                ("minimum_initial_amount", model.minimum_initial_amount),
                ("minimum_top_up_amount", model.minimum_top_up_amount),
            ] {
                let typed = minimum.display(rules.display_decimals).to_string();
                if let Err(error) = parse_amount(&typed, rules) {
                    return Err(CatalogError::Unfundable {
                        id: model.id.to_string(),
                        field,
                        amount: typed,
                        reason: error.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn models(&self) -> &[Model] {
        &self.models
    }

    pub fn model(&self, id: &ModelId) -> Option<&Model> {
        self.models.iter().find(|model| &model.id == id)
    }

    /// The position of a model in the catalog, for stable ordering of lists.
    pub(crate) fn position(&self, id: &ModelId) -> usize {
        self.models
            .iter()
            .position(|model| &model.id == id)
            .unwrap_or(self.models.len())
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Self::built_in()
    }
}

fn validate_model(model: &Model) -> Result<(), CatalogError> {
    let id = &model.id.0;
    let id_ok = !id.is_empty()
        && id.chars().count() <= MAX_MODEL_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !id_ok {
        return Err(CatalogError::InvalidId { id: id.clone() });
    }
    for (field, label) in [("name", &model.name), ("provider", &model.provider)] {
        let length = label.trim().chars().count();
        if length == 0 || length > MAX_LABEL_CHARS {
            return Err(CatalogError::InvalidLabel {
                id: id.clone(),
                field,
            });
        }
    }
    let minimums = [
        ("minimum_initial_amount", model.minimum_initial_amount),
        ("minimum_top_up_amount", model.minimum_top_up_amount),
    ];
    for (field, minimum) in minimums {
        if minimum.is_zero() {
            return Err(CatalogError::NotPositive {
                id: id.clone(),
                field,
            });
        }
    }
    Ok(())
}

fn model_from_file(position: usize, file: ModelFile) -> Result<Model, CatalogError> {
    let missing = |field| CatalogError::Missing { position, field };
    let id = file.id.ok_or(missing("id"))?;
    let amount = |field: &'static str, value: Option<toml::Value>| {
        let value = value.ok_or(CatalogError::Missing { position, field })?;
        amount_from_toml(&value).map_err(|reason| CatalogError::InvalidAmount {
            id: id.clone(),
            field,
            reason,
        })
    };
    Ok(Model {
        name: file.name.ok_or(missing("name"))?,
        provider: file.provider.ok_or(missing("provider"))?,
        input_price_per_mtok: amount("input_price_per_mtok", file.input_price_per_mtok)?,
        output_price_per_mtok: amount("output_price_per_mtok", file.output_price_per_mtok)?,
        minimum_initial_amount: amount("minimum_initial_amount", file.minimum_initial_amount)?,
        minimum_top_up_amount: amount("minimum_top_up_amount", file.minimum_top_up_amount)?,
        id: ModelId(id),
    })
}

fn amount_from_toml(value: &toml::Value) -> Result<Amount, &'static str> {
    let decimal = match value {
        toml::Value::String(text) => {
            let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            if !plain {
                return Err("not a plain non-negative decimal");
            }
            Decimal::from_str_exact(text).map_err(|_| "not a plain non-negative decimal")?
        }
        toml::Value::Integer(units) => Decimal::from(*units),
        toml::Value::Float(_) => return Err("a float is not exact"),
        _ => return Err("not a number"),
    };
    if decimal.is_sign_negative() && !decimal.is_zero() {
        return Err("negative");
    }
    Amount::from_decimal(decimal).ok_or("more than 6 decimals or too large")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_MODEL: &str = r#"
        [[models]]
        id = "tiny-1"
        name = "Tiny One"
        provider = "Example"
        input_price_per_mtok = "0.075"
        output_price_per_mtok = 1
        minimum_initial_amount = "2.00"
        minimum_top_up_amount = "1"
    "#;

    #[test]
    fn built_in_catalog_is_valid_and_has_at_least_four_models() {
        let catalog = Catalog::built_in();

        assert!(catalog.models().len() >= 4);
        assert!(Catalog::new(catalog.models().to_vec()).is_ok());
    }

    #[test]
    fn a_catalog_file_is_read_exactly() {
        let catalog = Catalog::from_toml_str(ONE_MODEL).expect("valid catalog");

        let model = catalog
            .model(&ModelId("tiny-1".into()))
            .expect("model present");
        assert_eq!(
            model.input_price_per_mtok,
            Amount::from_micros(75_000).unwrap()
        );
        assert_eq!(model.output_price_per_mtok, Amount::from_units(1));
        assert_eq!(model.minimum_initial_amount, Amount::from_units(2));
    }

    #[test]
    fn invalid_catalogs_are_refused_with_the_model_and_field_named() {
        let cases = [
            ("", "no models"),
            (&ONE_MODEL.replace("\"tiny-1\"", "\"Tiny 1\""), "\"Tiny 1\""),
            (
                &ONE_MODEL.replace("\"0.075\"", "0.075"),
                "input_price_per_mtok",
            ),
            (
                &ONE_MODEL.replace("\"0.075\"", "\"-1\""),
                "input_price_per_mtok",
            ),
            (
                &ONE_MODEL.replace("\"0.075\"", "\"0.0000001\""),
                "input_price_per_mtok",
            ),
            (
                &ONE_MODEL.replace("\"2.00\"", "\"0\""),
                "minimum_initial_amount",
            ),
            (&ONE_MODEL.replace("\"Tiny One\"", "\"\""), "name"),
            (&ONE_MODEL.replace("provider = \"Example\"", ""), "provider"),
            (&format!("{ONE_MODEL}{ONE_MODEL}"), "twice"),
            (&ONE_MODEL.replace("provider", "vendor"), "vendor"),
        ];
        for (text, named) in cases {
            let message = Catalog::from_toml_str(text).err().map(|e| e.to_string());
            let message = message.unwrap_or_default();
            assert!(message.contains(named), "expected {named:?} in {message:?}");
        }
    }
}

//! The serde schema of a path file (`deny_unknown_fields`: an unknown key is named).

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) path: Header,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Header {
    pub(super) title: String,
    #[serde(default)]
    pub(super) description: String,
    pub(super) base: Spanned<String>,
    pub(super) first_year: Spanned<i32>,
    pub(super) last_year: Spanned<i32>,
    pub(super) target_year: Option<Spanned<i32>>,
    #[serde(default)]
    pub(super) year: Vec<Spanned<YearEntry>>,
    #[serde(default)]
    pub(super) growth: Vec<Spanned<Growth>>,
    #[serde(default)]
    pub(super) ramp: Vec<Spanned<Ramp>>,
    #[serde(default)]
    pub(super) stock: Vec<Spanned<Stock>>,
    #[serde(default)]
    pub(super) landfill: Vec<Spanned<Landfill>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct YearEntry {
    pub(super) year: Spanned<i32>,
    pub(super) scenario: Option<Spanned<String>>,
    pub(super) with: Option<Spanned<Vec<String>>>,
    pub(super) set: Option<Spanned<BTreeMap<String, toml::Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Growth {
    pub(super) material: Option<Spanned<String>>,
    pub(super) park: Option<Spanned<String>>,
    pub(super) producers: Option<Spanned<Vec<String>>>,
    pub(super) rate: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Ramp {
    pub(super) measure: Spanned<String>,
    pub(super) shares: Spanned<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Stock {
    pub(super) producer: Spanned<String>,
    pub(super) stock: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Landfill {
    pub(super) park: Spanned<String>,
    pub(super) room: Spanned<f64>,
}

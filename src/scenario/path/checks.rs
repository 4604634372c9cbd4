//! The checks of a path file that need no scenario (its header, in one round) and the links
//! resolved against the years' regions.

use super::schema::Header;
use super::*;

pub(super) struct Problems<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
    pub(super) list: Vec<Diagnostic>,
}

impl Problems<'_> {
    pub(super) fn at(&mut self, at: usize, field: &str, message: impl Into<String>) {
        let (line, column) = line_col(self.text, at);
        self.list.push(Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        });
    }

    pub(super) fn origin(&self, at: usize) -> Provenance {
        let (line, column) = line_col(self.text, at);
        Provenance::File {
            file: self.file.to_string(),
            line,
            column,
        }
    }

    pub(super) fn done(self) -> Result<(), ScenarioError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(Diagnostics(self.list)))
        }
    }
}

/// The header's problems, all in one round: the years, the target year, each year entry's
/// year, growth, ramps, stocks and rooms. Returns (first year, last year, target year).
pub(super) fn header(h: &Header, pr: &mut Problems) -> (i32, i32, i32) {
    let (first, last) = (*h.first_year.get_ref(), *h.last_year.get_ref());
    if !(1900..=2200).contains(&first) {
        pr.at(
            h.first_year.span().start,
            "path.first_year",
            "out of range 1900–2200",
        );
    }
    if last < first || last - first >= MAX_YEARS {
        pr.at(
            h.last_year.span().start,
            "path.last_year",
            format!(
                "expected a year from first_year ({first}) to {} (at most {MAX_YEARS} years)",
                first.saturating_add(MAX_YEARS - 1)
            ),
        );
    }
    let target = h.target_year.as_ref().map_or(last, |t| *t.get_ref());
    if let Some(t) = &h.target_year {
        if !(first..=last).contains(t.get_ref()) {
            pr.at(
                t.span().start,
                "path.target_year",
                format!("{} is not a year of the path ({first}–{last})", t.get_ref()),
            );
        }
    }
    let mut seen = BTreeMap::new();
    for (i, y) in h.year.iter().enumerate() {
        let yr = &y.get_ref().year;
        if !(first..=last).contains(yr.get_ref()) {
            pr.at(
                yr.span().start,
                &format!("path.year[{i}].year"),
                format!(
                    "{} is not a year of the path ({first}–{last})",
                    yr.get_ref()
                ),
            );
        } else if let Some(j) = seen.insert(*yr.get_ref(), i) {
            pr.at(
                yr.span().start,
                &format!("path.year[{i}].year"),
                format!("year {} is already given by path.year[{j}]", yr.get_ref()),
            );
        }
    }
    for (i, g) in h.growth.iter().enumerate() {
        let g = g.get_ref();
        let n = [
            g.material.is_some(),
            g.park.is_some(),
            g.producers.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        if n > 1 {
            pr.at(
                g.rate.span().start,
                &format!("path.growth[{i}]"),
                "name at most one of material, park, producers",
            );
        }
        if !(g.rate.get_ref().is_finite() && *g.rate.get_ref() > -1.0 && *g.rate.get_ref() <= 10.0)
        {
            pr.at(
                g.rate.span().start,
                &format!("path.growth[{i}].rate"),
                "expected a yearly rate above −1 and at most 10",
            );
        }
    }
    for (i, r) in h.ramp.iter().enumerate() {
        let s = &r.get_ref().shares;
        if s.get_ref()
            .iter()
            .any(|x| !(x.is_finite() && (0.0..=1.0).contains(x)))
        {
            pr.at(
                s.span().start,
                &format!("path.ramp[{i}].shares"),
                "expected shares from 0 to 1",
            );
        }
    }
    for (i, s) in h.stock.iter().enumerate() {
        let v = &s.get_ref().stock;
        if !(v.get_ref().is_finite() && *v.get_ref() >= 0.0 && *v.get_ref() <= 1e15) {
            pr.at(
                v.span().start,
                &format!("path.stock[{i}].stock"),
                "expected a quantity from 0 to 1e15",
            );
        }
    }
    for (i, l) in h.landfill.iter().enumerate() {
        let v = &l.get_ref().room;
        if !(v.get_ref().is_finite() && *v.get_ref() >= 0.0 && *v.get_ref() <= 1e15) {
            pr.at(
                v.span().start,
                &format!("path.landfill[{i}].room"),
                "expected a quantity from 0 to 1e15",
            );
        }
    }
    let withs_all: Vec<&String> = h
        .year
        .iter()
        .filter_map(|y| y.get_ref().with.as_ref())
        .flat_map(|w| w.get_ref())
        .collect();
    for (i, r) in h.ramp.iter().enumerate() {
        let m = &r.get_ref().measure;
        if !withs_all.contains(&m.get_ref()) {
            pr.at(
                m.span().start,
                &format!("path.ramp[{i}].measure"),
                format!(
                    "measure \"{}\" is not started by any path.year's `with`",
                    m.get_ref()
                ),
            );
        }
    }
    (first, last, target)
}

/// Every `[[path.stock]]` and `[[path.landfill]]` resolved by id in every year.
pub(super) fn links(
    h: &Header,
    years: &[Year],
    pr: &mut Problems,
) -> (Vec<StockLink>, Vec<RoomLink>) {
    let mut stockpiles = Vec::new();
    for (i, s) in h.stock.iter().enumerate() {
        let s = s.get_ref();
        let mut index = Vec::new();
        for y in years {
            match y
                .region
                .producers
                .iter()
                .position(|p| &p.id == s.producer.get_ref())
            {
                Some(p) => index.push(crate::model::ProducerId(p)),
                None => pr.at(
                    s.producer.span().start,
                    &format!("path.stock[{i}].producer"),
                    format!(
                        "no producer \"{}\" in year {}'s scenario",
                        s.producer.get_ref(),
                        y.year
                    ),
                ),
            }
        }
        if stockpiles
            .iter()
            .any(|l: &StockLink| &l.producer == s.producer.get_ref())
        {
            pr.at(
                s.producer.span().start,
                &format!("path.stock[{i}].producer"),
                "this producer's stock is already given",
            );
        }
        if index.len() == years.len() {
            stockpiles.push(StockLink {
                producer: s.producer.get_ref().clone(),
                index,
                stock: *s.stock.get_ref(),
            });
        }
    }
    let mut landfills = Vec::new();
    for (i, l) in h.landfill.iter().enumerate() {
        let l = l.get_ref();
        let mut index = Vec::new();
        for y in years {
            match y.region.parks.iter().position(|p| &p.id == l.park.get_ref()) {
                Some(p) if y.region.landfill_park(crate::model::ParkId(p)).0 == p => index.push(crate::model::ParkId(p)),
                Some(_) => pr.at(l.park.span().start, &format!("path.landfill[{i}].park"), format!("park \"{}\" stores in its parent's landfill in year {} (give it a landfill_capacity, or name the parent)", l.park.get_ref(), y.year)),
                None => pr.at(l.park.span().start, &format!("path.landfill[{i}].park"), format!("no park \"{}\" in year {}'s scenario", l.park.get_ref(), y.year)),
            }
        }
        if landfills
            .iter()
            .any(|x: &RoomLink| &x.park == l.park.get_ref())
        {
            pr.at(
                l.park.span().start,
                &format!("path.landfill[{i}].park"),
                "this park's room is already given",
            );
        }
        if index.len() == years.len() {
            landfills.push(RoomLink {
                park: l.park.get_ref().clone(),
                index,
                room: *l.room.get_ref(),
            });
        }
    }
    (stockpiles, landfills)
}

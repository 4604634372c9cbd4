//! `model`: the domain of a region's industrial symbiosis, in plain Rust types.
//!
//! Built by `scenario` after validation; read by `network`, `analysis` and `report`.
//! No serde, no I/O. Quantities are in each material's own unit (`t` for solids, `kg` for
//! hydrogen) per year; money in yuan; distances in km; CO2 in tonnes.

use ndarray::Array2;
use std::collections::BTreeMap;

pub mod path;
mod plan;
pub mod text;
mod uncertain;
pub use plan::*;
pub use uncertain::*;

macro_rules! id_type {
    ($name:ident) => {
        /// Index into the corresponding `Region` vector.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);
    };
}
id_type!(ParkId);
id_type!(MaterialId);
id_type!(RouteId);
id_type!(ModeId);
id_type!(ProducerId);
id_type!(ConsumerId);

/// An industrial park or a sub-block of one (`parent` set).
#[derive(Debug, Clone, PartialEq)]
pub struct Park {
    pub id: String,
    pub name: String,
    /// Label for charts (defaults to the name).
    pub short_name: String,
    pub name_zh: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// The consolidated park this sub-block belongs to.
    pub parent: Option<ParkId>,
    /// Compliant storage/landfill capacity for new waste, per year (None = unlimited).
    pub landfill_capacity: Option<f64>,
}

/// Whether a material counts in the solid-waste utilisation rate or in its own balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MaterialClass {
    Solid,
    Hydrogen,
}

impl MaterialClass {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialClass::Solid => "solid",
            MaterialClass::Hydrogen => "hydrogen",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    pub id: String,
    pub name: String,
    pub class: MaterialClass,
    /// Unit of quantities of this material ("t" or "kg").
    pub unit: String,
    /// Known grades, best first (may be empty).
    pub grades: Vec<String>,
    /// Compliant storage / landfill (hydrogen: venting or flaring) cost, yuan per unit.
    pub storage_cost: f64,
    /// Environmental protection tax on non-compliant disposal, yuan per unit.
    pub env_tax: f64,
    /// A fee per unit landfilled or dumped (a transfer to the government, beside the storage
    /// cost, which is the resource cost of storing), yuan per unit: 0 unless a candidate
    /// measure's landfill fee applies.
    pub landfill_fee: f64,
}

/// A kind of utilisation route (cement blending, backfill, ...), used for grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub id: String,
    pub name: String,
    /// Default load factor of its consumers (actual ÷ nameplate), 0–1.
    pub load_factor: f64,
    /// What the route is, for the accounting rule (which kinds count as utilisation).
    pub kind: RouteKind,
}

/// What a route does with the material; the target's [`Accounting`] says which kinds count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteKind {
    /// A product or feedstock (building materials, chemicals, fuel-cell trucks, ...).
    Utilisation,
    /// Material placed into voids: open-pit, underground or subsidence backfill.
    Backfill,
    /// Land reclamation and soil cover with the material.
    EcologicalRestoration,
    /// Burnt for its energy (gangue-fired power, boiler fuel).
    EnergyRecovery,
    /// A disposal service taking the material (counts under no named rule).
    Disposal,
}

impl RouteKind {
    /// Every kind, in the order of their index.
    pub const ALL: [RouteKind; 5] = [
        RouteKind::Utilisation,
        RouteKind::Backfill,
        RouteKind::EcologicalRestoration,
        RouteKind::EnergyRecovery,
        RouteKind::Disposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Utilisation => "utilisation",
            RouteKind::Backfill => "backfill",
            RouteKind::EcologicalRestoration => "ecological_restoration",
            RouteKind::EnergyRecovery => "energy_recovery",
            RouteKind::Disposal => "disposal",
        }
    }

    /// The kind named `s`, if any.
    pub fn parse(s: &str) -> Option<RouteKind> {
        RouteKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Index into [`RouteKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which route kinds count as utilisation in the target's rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accounting {
    /// `china_statistical`, `strict`, or `custom` (an explicit list of kinds).
    pub rule: String,
    /// Counted kinds, indexed by [`RouteKind::index`].
    pub counts: [bool; 5],
}

impl Accounting {
    /// The Chinese statistical convention (the default): everything but disposal counts,
    /// pit backfill and restoration included.
    pub fn china_statistical() -> Accounting {
        Accounting {
            rule: "china_statistical".into(),
            counts: [true, true, true, true, false],
        }
    }

    /// Strict: backfill and ecological restoration do not count.
    pub fn strict() -> Accounting {
        Accounting {
            rule: "strict".into(),
            counts: [true, false, false, true, false],
        }
    }

    /// The named rule, if known.
    pub fn named(name: &str) -> Option<Accounting> {
        match name {
            "china_statistical" => Some(Accounting::china_statistical()),
            "strict" => Some(Accounting::strict()),
            _ => None,
        }
    }

    pub fn counts(&self, k: RouteKind) -> bool {
        self.counts[k.index()]
    }

    /// The counted kinds, in [`RouteKind::ALL`] order.
    pub fn counted_kinds(&self) -> Vec<RouteKind> {
        RouteKind::ALL
            .into_iter()
            .filter(|&k| self.counts(k))
            .collect()
    }
}

impl Default for Accounting {
    fn default() -> Self {
        Accounting::china_statistical()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransportMode {
    pub id: String,
    pub name: String,
    /// Unit carried ("t" or "kg"); a mode carries the materials of its unit.
    pub unit: String,
    /// Materials it may carry (empty = every material of its unit).
    pub materials: Vec<MaterialId>,
    pub cost_per_unit_km: f64,
    pub handling_per_unit: f64,
    /// kg CO2 per unit·km.
    pub co2_kg_per_unit_km: f64,
    pub max_km: f64,
    /// Great-circle → route distance factor.
    pub circuity: f64,
}

/// A source of a by-product in a park.
#[derive(Debug, Clone, PartialEq)]
pub struct Producer {
    pub id: String,
    pub name: String,
    pub park: ParkId,
    pub material: MaterialId,
    /// Generation in the scenario year, material units per year (growth already applied).
    pub quantity: f64,
    pub grade: Option<String>,
    pub attrs: BTreeMap<String, f64>,
    /// Legacy stockpile that may be drawn this year, material units.
    pub stockpile: f64,
    pub reclaim_cost: f64,
}

/// One material a consumer accepts, with its blend limit and price.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    pub material: MaterialId,
    /// Accepted grades (empty = any grade, including ungraded lots).
    pub grades: Vec<String>,
    /// Upper limit on this material as an absolute intake, units per year (None = none).
    pub max: Option<f64>,
    /// Upper limit as a share of the consumer's capacity in force (None = none).
    pub max_share: Option<f64>,
    /// The consumer's intake group this material belongs to (index into `Consumer::groups`).
    pub group: Option<usize>,
    pub gate_price: f64,
    pub co2_avoided_per_unit: f64,
    pub min_attrs: BTreeMap<String, f64>,
    pub max_attrs: BTreeMap<String, f64>,
}

/// A plant that utilises by-products (a utilisation route instance).
#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    pub id: String,
    pub name: String,
    pub park: ParkId,
    pub route: RouteId,
    /// Total by-product intake capacity at nameplate, units per year.
    pub capacity: f64,
    /// Expected load: actual intake ÷ nameplate, 0–1 (the route's default unless overridden).
    pub load_factor: f64,
    pub processing_cost: f64,
    pub intakes: Vec<Intake>,
    /// Nested blend limits: groups of intakes sharing one limit (see [`IntakeGroup`]).
    pub groups: Vec<IntakeGroup>,
}

/// A group of a consumer's intakes whose sum is capped (e.g. cement's mixed-material slot shared
/// by fly ash, slag and gypsum); each member keeps its own limit beneath it.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeGroup {
    pub id: String,
    /// Upper limit on the members' sum, units per year (None = none).
    pub max: Option<f64>,
    /// Upper limit as a share of the consumer's capacity in force (None = none).
    pub max_share: Option<f64>,
}

/// The tighter of an absolute limit and a share of `capacity` (None = neither given).
pub fn blend_limit(max: Option<f64>, max_share: Option<f64>, capacity: f64) -> Option<f64> {
    match (max, max_share.map(|sh| sh * capacity)) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

impl Consumer {
    /// Expected capacity: nameplate × load factor.
    pub fn effective_capacity(&self) -> f64 {
        self.capacity * self.load_factor
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DistanceOverride {
    pub from: ParkId,
    pub to: ParkId,
    pub km: f64,
    pub mode: Option<ModeId>,
}

/// A dedicated link between two parks for one mode (see [`Region::links`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: ParkId,
    pub to: ParkId,
    pub mode: ModeId,
    pub km: f64,
}

/// A producer's [`Region::lot_key`]: park, material, grade, attributes (as bits).
pub type LotKey<'a> = (ParkId, MaterialId, Option<&'a str>, Vec<(&'a str, u64)>);

/// An intake's [`Region::intake_key`]: park, material, grades, attribute limits (as bits).
#[allow(clippy::type_complexity)]
pub type IntakeKey<'a> = (
    ParkId,
    MaterialId,
    &'a [String],
    Vec<(&'a str, u64)>,
    Vec<(&'a str, u64)>,
);

/// What the utilisation target covers.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetScope {
    AllSolids,
    Material(MaterialId),
    Park(ParkId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub rate: f64,
    pub scope: TargetScope,
    /// Which route kinds count toward the rate (default: the Chinese statistical convention).
    pub accounting: Accounting,
}

/// What the allocation optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Minimum total cost; utilisation follows from the economics.
    Cost,
    /// Lexicographic: least new waste disposed, then most stockpile drawn, then least cost.
    MaxUtilisation,
}

impl Objective {
    /// The other objective: every run answers both questions.
    pub fn other(self) -> Objective {
        match self {
            Objective::Cost => Objective::MaxUtilisation,
            Objective::MaxUtilisation => Objective::Cost,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub objective: Objective,
    /// Default great-circle → road factor.
    pub circuity: f64,
    /// Haul distance when producer and consumer sit in the same park or sub-block, km.
    pub same_park_km: f64,
    /// Material units per integer flow unit in the solver.
    pub quantity_resolution: f64,
    /// Yuan per integer cost unit (per flow unit) in the solver.
    pub cost_resolution: f64,
    /// Under `MaxUtilisation`, bound consumers by their nameplate instead of nameplate × load
    /// factor (the technical potential of the installed capacity).
    pub nameplate_for_potential: bool,
}

/// Policy levers that change the economics.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub carbon_price: f64,
    pub env_tax_multiplier: f64,
    pub storage_cost_multiplier: f64,
    pub transport_cost_multiplier: f64,
    /// Subsidy per unit utilised, by route.
    pub route_subsidy: BTreeMap<RouteId, f64>,
    /// Whether waste beyond a park's landfill capacity may be dumped non-compliantly (taxed).
    /// When false, the network has no dumping arcs.
    pub allow_dumping: bool,
}

/// A whole region in one year: everything the network is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub name: String,
    pub title: String,
    pub year: i32,
    pub parks: Vec<Park>,
    pub materials: Vec<Material>,
    pub routes: Vec<Route>,
    pub modes: Vec<TransportMode>,
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    pub distances: Vec<DistanceOverride>,
    /// Dedicated links (a rail siding, a hydrogen pipeline): the pair is in reach for the
    /// link's mode at the link's distance, whatever the mode's `max_km`. Empty unless a
    /// `plan` portfolio opened some ([`Candidates::region_for`]).
    pub links: Vec<Link>,
    /// Candidate measures for `plan` (not applied by a normal run).
    pub candidates: Candidates,
    pub target: Target,
    pub settings: Settings,
    pub policy: Policy,
}

/// Mean Earth radius, km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance (haversine), km.
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

impl Region {
    /// The park whose compliant landfill takes the solid waste stored by producers of `park`:
    /// the park itself if its landfill is limited or it has no parent, else its consolidated
    /// park (a sub-block without a limit of its own stores in its parent's landfill).
    pub fn landfill_park(&self, park: ParkId) -> ParkId {
        let own = &self.parks[park.0];
        match (own.landfill_capacity, own.parent) {
            (None, Some(parent)) => parent,
            _ => park,
        }
    }

    /// Whether consumer `c`'s route counts as utilisation under the target's accounting rule.
    pub fn counted(&self, c: ConsumerId) -> bool {
        let kind = self.routes[self.consumers[c.0].route.0].kind;
        self.target.accounting.counts(kind)
    }

    /// The capacity that bounds consumer `c` in this run: nameplate under `MaxUtilisation`
    /// with `nameplate_for_potential`, else nameplate × load factor.
    pub fn capacity_in_force(&self, c: &Consumer) -> f64 {
        if self.settings.objective == Objective::MaxUtilisation
            && self.settings.nameplate_for_potential
        {
            c.capacity
        } else {
            c.effective_capacity()
        }
    }

    /// Intake `i`'s blend limit in this run (its `max` and `max_share` of the capacity in
    /// force, the tighter); None = only the capacity.
    pub fn intake_limit(&self, c: &Consumer, i: &Intake) -> Option<f64> {
        blend_limit(i.max, i.max_share, self.capacity_in_force(c))
    }

    /// Group `g`'s limit in this run, as [`Region::intake_limit`].
    pub fn group_limit(&self, c: &Consumer, g: &IntakeGroup) -> Option<f64> {
        blend_limit(g.max, g.max_share, self.capacity_in_force(c))
    }

    /// The consolidated park a park or sub-block belongs to.
    pub fn top_park(&self, p: ParkId) -> ParkId {
        let mut p = p;
        while let Some(q) = self.parks[p.0].parent {
            p = q;
        }
        p
    }

    /// Haul distance between two parks for a mode, km: an explicit override if any, the
    /// same-park distance inside one park or sub-block, else great circle × circuity.
    pub fn distance_km(&self, a: ParkId, b: ParkId, mode: ModeId) -> f64 {
        let explicit = |m: Option<ModeId>| {
            self.distances
                .iter()
                .find(|d| d.mode == m && ((d.from == a && d.to == b) || (d.from == b && d.to == a)))
        };
        if let Some(d) = explicit(Some(mode)).or_else(|| explicit(None)) {
            return d.km;
        }
        if a == b {
            return self.settings.same_park_km;
        }
        let (pa, pb) = (&self.parks[a.0], &self.parks[b.0]);
        let gc = great_circle_km(pa.lat, pa.lon, pb.lat, pb.lon);
        (gc * self.modes[mode.0].circuity).max(self.settings.same_park_km)
    }

    /// Haul distances between every pair of parks for `mode`, km (`[from, to]`).
    pub fn distance_matrix(&self, mode: ModeId) -> Array2<f64> {
        let n = self.parks.len();
        let gc = Array2::from_shape_fn((n, n), |(a, b)| {
            let (pa, pb) = (&self.parks[a], &self.parks[b]);
            great_circle_km(pa.lat, pa.lon, pb.lat, pb.lon)
        });
        self.distances_from(&gc, mode)
    }

    /// [`Region::distance_matrix`] of every mode, in mode order, with each great circle
    /// computed once.
    pub fn distance_matrices(&self) -> Vec<Array2<f64>> {
        let n = self.parks.len();
        let gc = Array2::from_shape_fn((n, n), |(a, b)| {
            let (pa, pb) = (&self.parks[a], &self.parks[b]);
            great_circle_km(pa.lat, pa.lon, pb.lat, pb.lon)
        });
        (0..self.modes.len())
            .map(|m| self.distances_from(&gc, ModeId(m)))
            .collect()
    }

    /// Each pair's [`Region::distance_km`] from its great-circle distance `gc`: the defaults,
    /// then the overrides written over them, general ones before the mode's own, each list
    /// from its end, so that the first listed override of a pair wins, as in `distance_km`.
    fn distances_from(&self, gc: &Array2<f64>, mode: ModeId) -> Array2<f64> {
        let same = self.settings.same_park_km;
        let circuity = self.modes[mode.0].circuity;
        let mut d = Array2::from_shape_fn(gc.dim(), |(a, b)| {
            if a == b {
                same
            } else {
                (gc[[a, b]] * circuity).max(same)
            }
        });
        let general = self.distances.iter().rev().filter(|o| o.mode.is_none());
        let own = self.distances.iter().rev().filter(|o| o.mode == Some(mode));
        for o in general.chain(own) {
            d[[o.from.0, o.to.0]] = o.km;
            d[[o.to.0, o.from.0]] = o.km;
        }
        d
    }

    /// The distance of a dedicated link for `mode` between parks `a` and `b`, if any (the
    /// first listed wins).
    pub fn link_km(&self, a: ParkId, b: ParkId, mode: ModeId) -> Option<f64> {
        self.links
            .iter()
            .find(|l| l.mode == mode && ((l.from == a && l.to == b) || (l.from == b && l.to == a)))
            .map(|l| l.km)
    }

    /// Whether producer `p`'s lots are accepted by intake `i` (material, grade, attributes).
    pub fn accepts(&self, p: &Producer, i: &Intake) -> bool {
        if p.material != i.material {
            return false;
        }
        if !i.grades.is_empty() {
            match &p.grade {
                Some(g) if i.grades.contains(g) => {}
                _ => return false,
            }
        }
        let attr_ok =
            |name: &String, ok: &dyn Fn(f64) -> bool| p.attrs.get(name).is_some_and(|&v| ok(v));
        i.min_attrs.iter().all(|(k, &lo)| attr_ok(k, &|v| v >= lo))
            && i.max_attrs.iter().all(|(k, &hi)| attr_ok(k, &|v| v <= hi))
    }

    /// What decides which intakes accept `p`'s lots and which consumers they reach: its park,
    /// material, grade and attributes. Producers of one key meet the same intakes (see
    /// [`Region::accepts`]), so counting their pairs needs one test per key, not per producer.
    pub fn lot_key<'p>(&self, p: &'p Producer) -> LotKey<'p> {
        let attrs = p.attrs.iter().map(|(k, v)| (k.as_str(), v.to_bits()));
        (p.park, p.material, p.grade.as_deref(), attrs.collect())
    }

    /// What decides which lots intake `i` of consumer `c` accepts and from where: the
    /// consumer's park, the material, the grades and the attribute limits.
    pub fn intake_key<'c>(&self, c: &'c Consumer, i: &'c Intake) -> IntakeKey<'c> {
        let bits = |m: &'c BTreeMap<String, f64>| {
            m.iter().map(|(k, v)| (k.as_str(), v.to_bits())).collect()
        };
        (
            c.park,
            i.material,
            i.grades.as_slice(),
            bits(&i.min_attrs),
            bits(&i.max_attrs),
        )
    }

    /// Whether mode `m` may carry material `mat`.
    pub fn mode_carries(&self, m: &TransportMode, mat: MaterialId) -> bool {
        m.unit == self.materials[mat.0].unit
            && (m.materials.is_empty() || m.materials.contains(&mat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn park(id: &str, lat: f64, lon: f64) -> Park {
        Park {
            id: id.into(),
            name: id.into(),
            short_name: id.into(),
            name_zh: None,
            lat,
            lon,
            parent: None,
            landfill_capacity: None,
        }
    }

    fn mode(id: &str, circuity: f64) -> TransportMode {
        TransportMode {
            id: id.into(),
            name: id.into(),
            unit: "t".into(),
            materials: vec![],
            cost_per_unit_km: 0.35,
            handling_per_unit: 8.0,
            co2_kg_per_unit_km: 0.065,
            max_km: 300.0,
            circuity,
        }
    }

    /// A region of parks and modes only, with default settings (for distance tests).
    fn region(
        parks: Vec<Park>,
        modes: Vec<TransportMode>,
        distances: Vec<DistanceOverride>,
    ) -> Region {
        Region {
            name: "t".into(),
            title: "t".into(),
            year: 2025,
            parks,
            materials: vec![],
            routes: vec![],
            modes,
            producers: vec![],
            consumers: vec![],
            distances,
            links: vec![],
            candidates: Candidates::default(),
            target: Target {
                rate: 0.8,
                scope: TargetScope::AllSolids,
                accounting: Accounting::default(),
            },
            settings: Settings {
                objective: Objective::Cost,
                circuity: 1.3,
                same_park_km: 7.5,
                quantity_resolution: 1.0,
                cost_resolution: 0.001,
                nameplate_for_potential: false,
            },
            policy: Policy {
                carbon_price: 0.0,
                env_tax_multiplier: 1.0,
                storage_cost_multiplier: 1.0,
                transport_cost_multiplier: 1.0,
                route_subsidy: BTreeMap::new(),
                allow_dumping: false,
            },
        }
    }

    #[test]
    fn distance_matrix_is_symmetric_with_same_park_diagonal() {
        let region = region(
            vec![park("P1", 39.72, 109.88), park("P4", 39.45, 109.96)],
            vec![mode("road", 1.3)],
            vec![],
        );
        let d = region.distance_matrix(ModeId(0));
        assert_eq!(d[[0, 0]], 7.5);
        assert_eq!(d[[0, 1]], d[[1, 0]]);
        // Data sheet §1.4: P1–P4 road distance at circuity 1.3 ≈ 40 km.
        assert!((d[[0, 1]] - 40.0).abs() < 1.5, "{}", d[[0, 1]]);
    }

    #[test]
    fn distance_matrices_equal_distance_km_with_overrides() {
        let o = |from, to, km, mode: Option<usize>| DistanceOverride {
            from: ParkId(from),
            to: ParkId(to),
            km,
            mode: mode.map(ModeId),
        };
        // Repeated pairs in both directions, general and per mode, and a diagonal.
        let region = region(
            vec![
                park("A", 39.72, 109.88),
                park("B", 39.45, 109.96),
                park("C", 39.70, 109.90),
                park("D", 38.25, 106.68),
            ],
            vec![mode("road", 1.3), mode("rail", 1.1)],
            vec![
                o(0, 1, 50.0, None),
                o(1, 0, 60.0, None),
                o(0, 1, 45.0, Some(1)),
                o(2, 3, 300.0, Some(0)),
                o(3, 2, 310.0, None),
                o(3, 2, 320.0, Some(0)),
                o(2, 2, 1.0, None),
            ],
        );
        let all = region.distance_matrices();
        for m in 0..2 {
            assert_eq!(all[m], region.distance_matrix(ModeId(m)));
            for a in 0..4 {
                for b in 0..4 {
                    let km = region.distance_km(ParkId(a), ParkId(b), ModeId(m));
                    assert_eq!(all[m][[a, b]].to_bits(), km.to_bits(), "{m} {a} {b}");
                }
            }
        }
        assert_eq!(all[0][[0, 1]], 50.0);
        assert_eq!(all[1][[1, 0]], 45.0);
        assert_eq!(all[0][[3, 2]], 300.0);
        assert_eq!(all[1][[2, 3]], 310.0);
        assert_eq!(all[0][[2, 2]], 1.0);
    }

    #[test]
    fn great_circle_matches_data_sheet_p1_p4() {
        // Data sheet §1.4: P1 (39.72, 109.88) – P4 (39.45, 109.96) ≈ 31 km great circle.
        let d = great_circle_km(39.72, 109.88, 39.45, 109.96);
        assert!((d - 31.0).abs() < 1.0, "{d}");
        // P2 – P7 ≈ 417 km.
        let d = great_circle_km(39.81, 111.07, 38.25, 106.68);
        assert!((d - 417.0).abs() < 2.0, "{d}");
    }
}

//! European Standard Populations, the weights of directly standardised rates.

/// A standard population: age bands and their weights, which add up to 100,000.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardPopulation {
    /// Its name: "ESP2013" or "ESP1976".
    pub name: &'static str,
    /// The age bands, youngest first; the last is open-ended.
    pub bands: &'static [&'static str],
    /// The weight of each band, in the same order.
    pub weights: &'static [f64],
}

impl StandardPopulation {
    /// How many age bands it has.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether it has no bands (never true of the shipped populations).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The sum of the weights.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// The bands with their weights.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.bands.iter().copied().zip(self.weights.iter().copied())
    }
}

/// The 2013 European Standard Population: 19 five-year bands, 0-4 to 90+ (PHEindicatormethods'
/// default `esp2013`).
pub const ESP2013: StandardPopulation = StandardPopulation {
    name: "ESP2013",
    bands: &[
        "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
        "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
    ],
    weights: &[
        5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0,
        6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
    ],
};

/// The 1976 European Standard Population: 18 five-year bands, 0-4 to 85+.
pub const ESP1976: StandardPopulation = StandardPopulation {
    name: "ESP1976",
    bands: &[
        "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
        "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+",
    ],
    weights: &[
        8000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0,
        6000.0, 5000.0, 4000.0, 3000.0, 2000.0, 1000.0, 1000.0,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_populations_add_up_to_one_hundred_thousand() {
        for standard in [ESP2013, ESP1976] {
            assert_eq!(standard.total(), 100_000.0, "{}", standard.name);
            assert_eq!(standard.bands.len(), standard.weights.len());
        }
        assert_eq!(ESP2013.len(), 19);
        assert_eq!(ESP1976.len(), 18);
        assert_eq!(ESP2013.iter().last(), Some(("90+", 1000.0)));
    }
}

//! Comparison categories and how each is drawn.

/// How a value compares with its benchmark, which decides a marker's colour *and* shape.
///
/// This mirrors `h2h_domain::statistics::Comparison` without depending on it, so the chart
/// crate stays free of domain types; [`Category::from_code`] reads the domain's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Category {
    /// Significantly better: a green up-pointing triangle.
    Better,
    /// Not significantly different: an orange circle.
    Similar,
    /// Significantly worse: a red down-pointing triangle.
    Worse,
    /// Significantly higher, where the direction is not judged: a blue up arrow.
    Higher,
    /// Significantly lower, where the direction is not judged: a light blue down arrow.
    Lower,
    /// Not compared: a hollow grey circle.
    #[default]
    NotCompared,
}

/// The shape a category's marker takes, so categories differ by more than colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    TriangleUp,
    TriangleDown,
    Circle,
    HollowCircle,
    ArrowUp,
    ArrowDown,
}

impl Category {
    /// Every category, in the order legends list them.
    pub const ALL: [Category; 6] = [
        Category::Better,
        Category::Similar,
        Category::Worse,
        Category::Higher,
        Category::Lower,
        Category::NotCompared,
    ];

    /// Reads a comparison code as the domain writes it (`better`, `similar`, `worse`,
    /// `higher`, `lower`, `not_compared`; also `not-compared` and `none`), ignoring case.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "better" => Some(Category::Better),
            "similar" => Some(Category::Similar),
            "worse" => Some(Category::Worse),
            "higher" => Some(Category::Higher),
            "lower" => Some(Category::Lower),
            "not_compared" | "not-compared" | "none" => Some(Category::NotCompared),
            _ => None,
        }
    }

    /// The label shown in legends: "Better", "Similar", "Worse", "Higher", "Lower",
    /// "Not compared".
    pub fn label(self) -> &'static str {
        match self {
            Category::Better => "Better",
            Category::Similar => "Similar",
            Category::Worse => "Worse",
            Category::Higher => "Higher",
            Category::Lower => "Lower",
            Category::NotCompared => "Not compared",
        }
    }

    /// The BEM modifier used in CSS classes such as `h2h-chart__point--better`; not compared
    /// is `none`.
    pub fn modifier(self) -> &'static str {
        match self {
            Category::Better => "better",
            Category::Similar => "similar",
            Category::Worse => "worse",
            Category::Higher => "higher",
            Category::Lower => "lower",
            Category::NotCompared => "none",
        }
    }

    /// The fallback fill colour (GOV.UK palette) used when no stylesheet applies.
    pub(crate) fn fill(self) -> &'static str {
        match self {
            Category::Better => crate::svg::GREEN,
            Category::Similar => crate::svg::ORANGE,
            Category::Worse => crate::svg::RED,
            Category::Higher => crate::svg::BLUE,
            Category::Lower => crate::svg::LIGHT_BLUE,
            Category::NotCompared => crate::svg::WHITE,
        }
    }

    pub(crate) fn shape(self) -> Shape {
        match self {
            Category::Better => Shape::TriangleUp,
            Category::Similar => Shape::Circle,
            Category::Worse => Shape::TriangleDown,
            Category::Higher => Shape::ArrowUp,
            Category::Lower => Shape::ArrowDown,
            Category::NotCompared => Shape::HollowCircle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_the_domain_spelling() {
        for (code, category) in [
            ("better", Category::Better),
            ("Similar", Category::Similar),
            ("WORSE", Category::Worse),
            ("higher", Category::Higher),
            ("lower", Category::Lower),
            ("not_compared", Category::NotCompared),
            ("none", Category::NotCompared),
        ] {
            assert_eq!(Category::from_code(code), Some(category));
        }
        assert_eq!(Category::from_code("bogus"), None);
    }

    #[test]
    fn every_category_has_its_own_shape() {
        for (i, a) in Category::ALL.iter().enumerate() {
            for b in Category::ALL.iter().skip(i + 1) {
                assert_ne!(a.shape(), b.shape(), "{a:?} and {b:?} share a shape");
            }
        }
    }
}

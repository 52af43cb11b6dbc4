//! Example charts shared by the snapshot tests and the `render` example, so what is
//! reviewed as a picture is exactly what is snapshotted.

#![allow(dead_code)]

use h2h_charts::{
    BarRow, BenchmarkSeries, Category, ChartText, ComparisonBars, FunnelPlot, FunnelPoint,
    ReferenceLine, SeriesPoint, SparklineOptions, SpcLimits, TimeSeries, comparison_bars,
    funnel_plot, sparkline, time_series,
};

/// A decorative sparkline with a gap.
pub fn sparkline_svg() -> String {
    sparkline(
        &[
            Some(41.2),
            Some(43.0),
            Some(42.1),
            None,
            Some(45.8),
            Some(47.5),
            Some(46.9),
        ],
        &SparklineOptions::default(),
    )
}

/// A labelled sparkline.
pub fn sparkline_labelled_svg() -> String {
    sparkline(
        &[Some(120.0), Some(118.5), Some(121.0), Some(109.4)],
        &SparklineOptions {
            text: Some(ChartText {
                id: "spark-leeds",
                title: "Deaths per 100,000, Leeds",
                description: "Falling from 120 in 2020 to 109.4 in 2023.",
            }),
            ..SparklineOptions::default()
        },
    )
}

/// Successful completions for one area with every optional element.
pub fn time_series_svg() -> String {
    let points = [
        ("2017-18", Some(38.4), Some((35.1, 41.8)), Category::Worse),
        ("2018-19", Some(40.1), Some((36.9, 43.4)), Category::Similar),
        ("2019-20", Some(42.7), Some((39.5, 46.0)), Category::Similar),
        ("2020-21", None, None, Category::NotCompared),
        ("2021-22", Some(46.3), Some((43.1, 49.6)), Category::Similar),
        ("2022-23", Some(49.8), Some((46.5, 53.1)), Category::Better),
        ("2023-24", Some(51.2), Some((48.0, 54.4)), Category::Better),
    ]
    .map(|(period, value, interval, category)| SeriesPoint {
        period,
        value,
        interval,
        category: Some(category),
    });
    time_series(&TimeSeries {
        text: ChartText {
            id: "trend-completions",
            title: "Successful completions, Leeds, 2017-18 to 2023-24",
            description: "Rising from 38.4% in 2017-18 to 51.2% in 2023-24, better than \
                          England (45.0%) in the last two years. No data for 2020-21.",
        },
        unit_label: "% of people in treatment",
        series_label: "Leeds",
        points: &points,
        benchmark: Some(BenchmarkSeries {
            label: "England",
            values: &[
                Some(43.5),
                Some(44.0),
                Some(44.2),
                Some(44.6),
                Some(44.9),
                Some(45.0),
                Some(45.0),
            ],
        }),
        target: Some(ReferenceLine {
            label: "Target: 55%",
            value: 55.0,
        }),
        spc: Some(SpcLimits {
            mean: 44.75,
            lower: 33.2,
            upper: 56.3,
        }),
        include_zero: false,
        ..TimeSeries::default()
    })
}

/// A plain rate series with no optional elements.
pub fn time_series_plain_svg() -> String {
    let labels = [
        "2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06", "2023-07", "2023-08",
        "2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04",
        "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
    ];
    let values = [
        1234.0, 1260.5, 1301.0, 1288.2, 1350.0, 1402.7, 1391.0, 1420.4, 1456.0, 1499.9, 1512.3,
        1530.0, 1525.5, 1560.0, 1602.1, 1618.8, 1650.0, 1671.4, 1690.0, 1702.2, 1735.0, 1760.6,
        1781.0, 1800.0,
    ];
    let points: Vec<SeriesPoint<'_>> = labels
        .iter()
        .zip(values)
        .map(|(period, value)| SeriesPoint {
            period,
            value: Some(value),
            ..SeriesPoint::default()
        })
        .collect();
    time_series(&TimeSeries {
        text: ChartText {
            id: "trend-adults",
            title: "Adults in treatment, Leeds, monthly",
            description: "Rising steadily from 1,234 in January 2023 to 1,800 in December 2024.",
        },
        unit_label: "Number of adults",
        series_label: "Adults in treatment",
        points: &points,
        include_zero: true,
        ..TimeSeries::default()
    })
}

/// Areas compared with England, one selected.
pub fn comparison_bars_svg() -> String {
    let rows = [
        ("Barnsley", 52.4, Category::Better),
        ("Bradford", 47.9, Category::Similar),
        ("Calderdale", 44.1, Category::Similar),
        ("Doncaster", 39.6, Category::Worse),
        ("Kirklees", 45.5, Category::Similar),
        ("Leeds", 51.2, Category::Better),
        ("Rotherham", 36.8, Category::Worse),
        ("Sheffield", 49.0, Category::Similar),
        ("Wakefield", 42.3, Category::Similar),
        (
            "Bournemouth, Christchurch and Poole",
            46.0,
            Category::Similar,
        ),
    ]
    .map(|(label, value, category)| BarRow {
        label,
        value: Some(value),
        interval: Some((value - 3.4, value + 3.3)),
        category,
        selected: label == "Leeds",
    });
    let mut rows = rows.to_vec();
    rows.push(BarRow {
        label: "York",
        value: None,
        interval: None,
        category: Category::NotCompared,
        selected: false,
    });
    comparison_bars(&ComparisonBars {
        text: ChartText {
            id: "compare-completions",
            title: "Successful completions by local authority, 2023-24",
            description: "Leeds (51.2%) is better than England (45.0%). Barnsley and Leeds \
                          are better; Doncaster and Rotherham are worse; York has no data.",
        },
        unit_label: "% of people in treatment",
        rows: &rows,
        benchmark: Some(ReferenceLine {
            label: "England",
            value: 45.0,
        }),
        ..ComparisonBars::default()
    })
}

/// Areas with no direction judged (higher / lower), including a negative value.
pub fn comparison_bars_higher_lower_svg() -> String {
    let rows = [
        ("North East", 12.5, Category::Higher),
        ("North West", 3.1, Category::Similar),
        ("London", -4.2, Category::Lower),
        ("South West", 1.0, Category::NotCompared),
    ]
    .map(|(label, value, category)| BarRow {
        label,
        value: Some(value),
        interval: None,
        category,
        selected: false,
    });
    comparison_bars(&ComparisonBars {
        text: ChartText {
            id: "compare-change",
            title: "Change in referrals by region",
            description: "North East higher, London lower than England.",
        },
        unit_label: "Change (%)",
        rows: &rows,
        benchmark: Some(ReferenceLine {
            label: "England",
            value: 2.0,
        }),
        decimals: None,
        width: 480.0,
    })
}

/// The 2σ and 3σ limits around a proportion `p` (in %) for denominators 10..=4000.
pub fn funnel_limits(p: f64, z: f64) -> Vec<(f64, f64, f64)> {
    let q = p / 100.0;
    (0..=60)
        .map(|i| {
            let n = 10.0 * (400f64).powf(i as f64 / 60.0);
            let se = (q * (1.0 - q) / n).sqrt() * 100.0;
            (n, (p - z * se).max(0.0), (p + z * se).min(100.0))
        })
        .collect()
}

/// A funnel plot of 24 areas.
pub fn funnel_svg() -> String {
    let data: [(&str, f64, f64); 24] = [
        ("Barnsley", 420.0, 52.4),
        ("Bradford", 1650.0, 47.9),
        ("Calderdale", 380.0, 44.1),
        ("Doncaster", 900.0, 39.6),
        ("Kirklees", 1100.0, 45.5),
        ("Leeds", 2400.0, 51.2),
        ("Rotherham", 760.0, 36.8),
        ("Sheffield", 2100.0, 49.0),
        ("Wakefield", 980.0, 42.3),
        ("York", 310.0, 47.1),
        ("Hull", 1200.0, 41.0),
        ("Rutland", 35.0, 62.9),
        ("Isles of Scilly", 12.0, 25.0),
        ("Hartlepool", 260.0, 38.5),
        ("Middlesbrough", 640.0, 40.2),
        ("Sunderland", 1010.0, 46.8),
        ("Gateshead", 540.0, 50.6),
        ("Newcastle", 1450.0, 44.0),
        ("Durham", 1830.0, 43.6),
        ("Darlington", 230.0, 53.9),
        ("Stockton", 450.0, 47.8),
        ("Redcar", 300.0, 42.0),
        ("North Tyneside", 700.0, 49.4),
        ("South Tyneside", 480.0, 45.2),
    ];
    let p = 45.0;
    let q = p / 100.0;
    let points: Vec<FunnelPoint<'_>> = data
        .iter()
        .map(|(label, n, value)| {
            let se = (q * (1.0 - q) / n).sqrt() * 100.0;
            let z = (value - p) / se;
            let category = if z > 2.0 {
                Category::Better
            } else if z < -2.0 {
                Category::Worse
            } else {
                Category::Similar
            };
            FunnelPoint {
                label,
                denominator: *n,
                value: *value,
                category,
                selected: *label == "Leeds",
            }
        })
        .collect();
    let limits_95 = funnel_limits(p, 1.96);
    let limits_998 = funnel_limits(p, 3.09);
    funnel_plot(&FunnelPlot {
        text: ChartText {
            id: "funnel-completions",
            title: "Successful completions against number in treatment, 2023-24",
            description: "Leeds (51.2% of 2,400) is above the 99.8% limit: better than \
                          England. Rotherham and Doncaster are below the 95% limit.",
        },
        x_label: "Number in treatment",
        unit_label: "% successful completions",
        points: &points,
        baseline: Some(ReferenceLine {
            label: "England (45%)",
            value: p,
        }),
        limits_95: &limits_95,
        limits_998: &limits_998,
        ..FunnelPlot::default()
    })
}

/// Every example, by file name stem.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("sparkline", sparkline_svg()),
        ("sparkline_labelled", sparkline_labelled_svg()),
        ("time_series", time_series_svg()),
        ("time_series_plain", time_series_plain_svg()),
        ("comparison_bars", comparison_bars_svg()),
        (
            "comparison_bars_higher_lower",
            comparison_bars_higher_lower_svg(),
        ),
        ("funnel", funnel_svg()),
    ]
}

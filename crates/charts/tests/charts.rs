//! Snapshots of one example of each chart, well-formedness of everything the crate writes,
//! and property tests that no input makes a chart panic or write invalid XML.

// Test helpers outside `#[test]` functions fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod samples;

use h2h_charts::{
    BarRow, BenchmarkSeries, Category, ChartText, ComparisonBars, FunnelPlot, FunnelPoint,
    ReferenceLine, SeriesPoint, SparklineOptions, SpcLimits, TimeSeries, comparison_bars,
    funnel_plot, sparkline, time_series,
};
use proptest::prelude::*;

/// One tag per line, so a snapshot diff points at the element that changed.
fn pretty(svg: &str) -> String {
    svg.replace("><", ">\n<")
}

/// Parses `svg` as XML and checks what every chart promises: an `<svg>` root in the SVG
/// namespace with a viewBox, and either `role="img"` labelled by a `<title>` and `<desc>`
/// whose ids exist, or `aria-hidden="true"`. Also that no number was written as NaN or inf.
fn check(svg: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("viewBox").is_some());
    match root.attribute("role") {
        Some("img") => {
            let labelled_by = root.attribute("aria-labelledby").unwrap();
            let ids: Vec<&str> = labelled_by.split(' ').collect();
            assert_eq!(ids.len(), 2);
            let title = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(ids[0]))
                .unwrap();
            assert_eq!(title.tag_name().name(), "title");
            assert_eq!(title.parent(), Some(root));
            let desc = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(ids[1]))
                .unwrap();
            assert_eq!(desc.tag_name().name(), "desc");
        }
        _ => assert_eq!(root.attribute("aria-hidden"), Some("true")),
    }
    for node in doc.descendants() {
        for attribute in node.attributes() {
            let value = attribute.value();
            assert!(
                !value.contains("NaN") && !value.contains("inf"),
                "{}={value}",
                attribute.name()
            );
        }
    }
}

#[test]
fn snapshot_sparkline() {
    insta::assert_snapshot!("sparkline", pretty(&samples::sparkline_svg()));
}

#[test]
fn snapshot_time_series() {
    insta::assert_snapshot!("time_series", pretty(&samples::time_series_svg()));
}

#[test]
fn snapshot_comparison_bars() {
    insta::assert_snapshot!("comparison_bars", pretty(&samples::comparison_bars_svg()));
}

#[test]
fn snapshot_funnel() {
    insta::assert_snapshot!("funnel", pretty(&samples::funnel_svg()));
}

#[test]
fn every_example_is_well_formed() {
    for (name, svg) in samples::all() {
        check(&svg);
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{name}"
        );
    }
}

#[test]
fn output_is_deterministic() {
    let first = samples::all();
    let second = samples::all();
    assert_eq!(first, second);
}

#[test]
fn empty_inputs_say_no_data() {
    let text = ChartText {
        id: "empty",
        title: "Nothing",
        description: "No values",
    };
    let charts = [
        sparkline(&[], &SparklineOptions::default()),
        time_series(&TimeSeries {
            text,
            ..TimeSeries::default()
        }),
        comparison_bars(&ComparisonBars {
            text,
            ..ComparisonBars::default()
        }),
        funnel_plot(&FunnelPlot {
            text,
            ..FunnelPlot::default()
        }),
    ];
    for svg in charts {
        check(&svg);
        assert!(svg.contains(">No data</text>"), "{svg}");
    }
}

#[test]
fn hostile_text_is_escaped() {
    let text = ChartText {
        id: "x\" onload=\"alert(1)",
        title: "<script>alert('t')</script> & co",
        description: "\"quoted\" & 'single' <b>",
    };
    let points = [SeriesPoint {
        period: "<2024>",
        value: Some(1.0),
        ..SeriesPoint::default()
    }];
    let rows = [BarRow {
        label: "A & B <C>",
        value: Some(1.0),
        ..BarRow::default()
    }];
    let funnel_points = [FunnelPoint {
        label: "</text><script>",
        denominator: 10.0,
        value: 1.0,
        selected: true,
        ..FunnelPoint::default()
    }];
    let charts = [
        time_series(&TimeSeries {
            text,
            unit_label: "<unit>",
            series_label: "a'b",
            points: &points,
            ..TimeSeries::default()
        }),
        comparison_bars(&ComparisonBars {
            text,
            rows: &rows,
            ..ComparisonBars::default()
        }),
        funnel_plot(&FunnelPlot {
            text,
            points: &funnel_points,
            ..FunnelPlot::default()
        }),
    ];
    for svg in charts {
        check(&svg);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("onload=\""), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; co"));
    }
}

#[test]
fn non_finite_values_are_ignored() {
    let points = [
        SeriesPoint {
            period: "a",
            value: Some(f64::NAN),
            interval: Some((f64::NEG_INFINITY, 3.0)),
            category: Some(Category::Better),
        },
        SeriesPoint {
            period: "b",
            value: Some(2.0),
            interval: Some((1.0, f64::NAN)),
            category: None,
        },
        SeriesPoint {
            period: "c",
            value: Some(f64::INFINITY),
            ..SeriesPoint::default()
        },
    ];
    let svg = time_series(&TimeSeries {
        points: &points,
        target: Some(ReferenceLine {
            label: "Target",
            value: f64::NAN,
        }),
        spc: Some(SpcLimits {
            mean: f64::NAN,
            lower: f64::NAN,
            upper: f64::INFINITY,
        }),
        benchmark: Some(BenchmarkSeries {
            label: "England",
            values: &[Some(f64::NAN)],
        }),
        ..TimeSeries::default()
    });
    check(&svg);
    // Only the finite value is drawn, and nothing that depended on the others appears.
    assert_eq!(svg.matches("<circle class=\"h2h-chart__point\"").count(), 2); // + legend
    for absent in [
        "h2h-chart__interval",
        "h2h-chart__target",
        "h2h-chart__spc",
        "h2h-chart__benchmark",
        ">Better<",
    ] {
        assert!(!svg.contains(absent), "{absent} in {svg}");
    }
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        -1.0e6..1.0e6,
    ]
}

fn any_category() -> impl Strategy<Value = Category> {
    prop::sample::select(Category::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sparkline_never_panics(
        values in prop::collection::vec(prop::option::of(any_f64()), 0..40),
        width in any_f64(),
        height in any_f64(),
    ) {
        check(&sparkline(&values, &SparklineOptions { width, height, text: None }));
    }

    #[test]
    fn time_series_never_panics(
        rows in prop::collection::vec(
            (".{0,12}", prop::option::of(any_f64()), prop::option::of((any_f64(), any_f64())),
             prop::option::of(any_category())),
            0..30,
        ),
        benchmark in prop::collection::vec(prop::option::of(any_f64()), 0..30),
        target in any_f64(),
        spc in (any_f64(), any_f64(), any_f64()),
        include_zero in any::<bool>(),
        width in any_f64(),
        height in any_f64(),
        title in ".{0,20}",
    ) {
        let points: Vec<SeriesPoint<'_>> = rows
            .iter()
            .map(|(period, value, interval, category)| SeriesPoint {
                period,
                value: *value,
                interval: *interval,
                category: *category,
            })
            .collect();
        let svg = time_series(&TimeSeries {
            text: ChartText { id: &title, title: &title, description: &title },
            unit_label: &title,
            series_label: &title,
            points: &points,
            benchmark: Some(BenchmarkSeries { label: "B", values: &benchmark }),
            target: Some(ReferenceLine { label: "T", value: target }),
            spc: Some(SpcLimits { mean: spc.0, lower: spc.1, upper: spc.2 }),
            include_zero,
            width,
            height,
        });
        check(&svg);
    }

    #[test]
    fn comparison_bars_never_panic(
        rows in prop::collection::vec(
            (".{0,40}", prop::option::of(any_f64()), prop::option::of((any_f64(), any_f64())),
             any_category(), any::<bool>()),
            0..30,
        ),
        benchmark in any_f64(),
        decimals in prop::option::of(0usize..50),
        width in any_f64(),
    ) {
        let rows: Vec<BarRow<'_>> = rows
            .iter()
            .map(|(label, value, interval, category, selected)| BarRow {
                label,
                value: *value,
                interval: *interval,
                category: *category,
                selected: *selected,
            })
            .collect();
        let svg = comparison_bars(&ComparisonBars {
            text: ChartText::default(),
            unit_label: "%",
            rows: &rows,
            benchmark: Some(ReferenceLine { label: "England", value: benchmark }),
            decimals,
            width,
        });
        check(&svg);
    }

    #[test]
    fn funnel_plot_never_panics(
        points in prop::collection::vec(
            (".{0,20}", any_f64(), any_f64(), any_category(), any::<bool>()),
            0..40,
        ),
        limits_95 in prop::collection::vec((any_f64(), any_f64(), any_f64()), 0..20),
        limits_998 in prop::collection::vec((any_f64(), any_f64(), any_f64()), 0..20),
        baseline in any_f64(),
        include_zero in any::<bool>(),
        width in any_f64(),
        height in any_f64(),
    ) {
        let points: Vec<FunnelPoint<'_>> = points
            .iter()
            .map(|(label, denominator, value, category, selected)| FunnelPoint {
                label,
                denominator: *denominator,
                value: *value,
                category: *category,
                selected: *selected,
            })
            .collect();
        let svg = funnel_plot(&FunnelPlot {
            text: ChartText { id: "f", title: "t", description: "d" },
            x_label: "n",
            unit_label: "%",
            points: &points,
            baseline: Some(ReferenceLine { label: "B", value: baseline }),
            limits_95: &limits_95,
            limits_998: &limits_998,
            include_zero,
            width,
            height,
        });
        check(&svg);
    }

    #[test]
    fn nice_ticks_are_finite_sorted_and_cover_the_range(
        a in any_f64(),
        b in any_f64(),
        count in 0usize..20,
    ) {
        let ticks = h2h_charts::nice_ticks(a, b, count);
        prop_assert!(!ticks.is_empty() && ticks.len() <= 201);
        prop_assert!(ticks.iter().all(|t| t.is_finite()));
        prop_assert!(ticks.windows(2).all(|w| w[0] <= w[1]));
        // Where the range is ordinary, the ticks cover it.
        let ordinary = |x: f64| x == 0.0 || (1e-9..1e12).contains(&x.abs());
        if ordinary(a) && ordinary(b) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(ticks[0] <= lo && *ticks.last().unwrap() >= hi, "{ticks:?}");
        }
    }

    #[test]
    fn format_number_never_panics(value in any_f64()) {
        let text = h2h_charts::format_number(value);
        prop_assert!(!text.is_empty());
        prop_assert!(!text.contains("NaN"));
    }
}

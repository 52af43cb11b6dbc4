//! Writes a starting corpus for the fuzz targets: small returns that pass and fail each rule,
//! as CSV and as workbooks, and periods in every accepted form. Run from `fuzz/` with
//! `cargo run --example seeds` before the first `cargo fuzz run`.

use std::fs;
use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const ROWS: [&str; 10] = [
    "metric_id,area_code,period,numerator,denominator,value,lower_ci,upper_ci,breakdown,status,source,note",
    "cnt,E06000047,2024/25-Q1,12,,,,,,,OHID,first",
    "pct,E08000020,Q1 2024/25,39,86,45.3,,,sex=female,provisional,,",
    "rate,CDP-A,Apr 2024,7,250000,2.8,,,,revised,,",
    "val,E06000047,2021-23,,,5.5,5,6,,,,",
    "pct,E06000047,2024/25,11,10,,,,,,,",
    "cnt,E06000047,2024/25-Q1,1.5,,,,,,,,",
    "rate,E06000047,R12-2024-03,1,0,1e-5,,,x=y,final,,",
    "val,nope,2024-13,-1,,,9,1,=,draft,,",
    "cnt,E06000047,2024/25-Q1,12,,,,,,,OHID,again",
];

fn workbook(rows: &[&str]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("Returns")?;
    for (r, line) in rows.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in line.split(',').enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell.parse::<f64>() {
                Ok(number) if r > 0 => sheet.write_number(r, c, number)?,
                _ if cell.is_empty() => sheet,
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    sheet.write_datetime_with_format(1, 12, ExcelDateTime::from_ymd(2024, 4, 1)?, &date)?;
    sheet.write_boolean(2, 12, true)?;
    book.add_worksheet().set_name("Notes")?;
    book.save_to_buffer()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let corpus = Path::new("corpus");
    for target in ["values_csv", "values_xlsx", "period"] {
        fs::create_dir_all(corpus.join(target))?;
    }
    fs::write(corpus.join("values_csv/all"), ROWS.join("\r\n"))?;
    fs::write(
        corpus.join("values_csv/targets"),
        "metric_id,area_code,period,target,kind,baseline_period,baseline,note\npct,E06000047,2024/25,55,trajectory,2023/24,50,x\ncnt,E06000047,2024/25,1,,2024/25,,\n",
    )?;
    fs::write(
        corpus.join("values_csv/metrics"),
        "metric_id,name,unit,multiplier,polarity,outcome,maps_to,definition,source,frequency\nlocal.a,A,rate,100000,lower_is_better,reduce_drug_use,cnt;pct,d,s,quarterly\nlocal.b,B,proportion,1000,up,x,nope,,,weekly\n",
    )?;
    for (i, pair) in ROWS.windows(2).enumerate() {
        fs::write(
            corpus.join(format!("values_csv/row{i}")),
            format!("{}\n{}\n", ROWS[0], pair[1]),
        )?;
    }
    fs::write(corpus.join("values_xlsx/all.xlsx"), workbook(&ROWS)?)?;
    fs::write(corpus.join("values_xlsx/one.xlsx"), workbook(&ROWS[..2])?)?;
    for (i, period) in [
        "2024-04",
        "Apr 2024",
        "April 2024",
        "2024-4",
        "2024/25-Q1",
        "2024/25 Q1",
        "Q1 2024/25",
        "2024-25 Q1",
        "2024/25-H1",
        "H1 2024/25",
        "2024/25",
        "2024-25",
        "FY2024/25",
        "2024/2025",
        "2024",
        "CY2024",
        "2021-2023",
        "2021 to 2023",
        "2021-23",
        "R12-2024-03",
        "12 months to March 2024",
        "12m to 2024-03",
    ]
    .iter()
    .enumerate()
    {
        fs::write(corpus.join(format!("period/{i}")), period)?;
    }
    Ok(())
}

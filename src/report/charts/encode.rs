//! PNG output: the chart drawn into an RGB buffer, then encoded.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::register_fonts;
use super::ChartError;

/// Draws a chart of `size` pixels into an RGB buffer and encodes it as PNG.
pub(super) fn render_png<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>, ChartError>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    register_fonts()?;
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    encode_png(size.0, size.1, &rgb)
}

/// Encodes an 8-bit RGB buffer as PNG with the `png` crate: each row filtered with the `Sub`
/// filter (the crate's default, not adaptive), the image data compressed as one zlib stream at
/// `Compression::Default` (flate2's default level, 6). The output depends only on the pixels, so
/// it is deterministic.
fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Default);
    let mut w = enc
        .write_header()
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    w.write_image_data(rgb)
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    w.finish().map_err(|e| ChartError::Encode(e.to_string()))?;
    Ok(out)
}

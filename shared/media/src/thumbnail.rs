//! Thumbnails of photos: at most 320 pixels on the long side, as JPEG, turned the way the
//! photo's Exif Orientation says (a JPEG thumbnail carries no Exif of its own). Decoding
//! is bounded (dimensions and memory), so a crafted file cannot exhaust the function.

use crate::policy::ContentType;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;

/// Why a photo could not be made into a thumbnail.
#[derive(Debug, thiserror::Error)]
#[error("the photo could not be decoded or encoded")]
pub struct ThumbnailError(#[from] image::ImageError);

/// A JPEG thumbnail of a photo of `content_type`, or `None` for types without one.
pub fn thumbnail(
    content_type: ContentType,
    bytes: &[u8],
) -> Result<Option<Vec<u8>>, ThumbnailError> {
    let format = match content_type {
        ContentType::Jpeg => ImageFormat::Jpeg,
        ContentType::Png => ImageFormat::Png,
        ContentType::Webp => ImageFormat::WebP,
        _ => return Ok(None),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    let small = picture.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small)?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    #[test]
    fn a_thumbnail_fits_in_320_pixels_and_keeps_the_aspect() {
        let photo = samples::png_with_metadata(1000, 500);
        let thumb = thumbnail(ContentType::Png, &photo).unwrap().unwrap();
        let decoded = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 160));
        assert!(thumbnail(ContentType::Mp4, b"x").unwrap().is_none());
    }

    #[test]
    fn a_portrait_photo_stored_on_its_side_gets_an_upright_thumbnail() {
        let photo = samples::jpeg_with_gps_oriented(640, 320, 6);
        let thumb = thumbnail(ContentType::Jpeg, &photo).unwrap().unwrap();
        let decoded = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (160, 320));
    }
}

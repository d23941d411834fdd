//! Real files made on the spot for tests: photos carrying GPS metadata in the places
//! phones put it (JPEG Exif and XMP, PNG `eXIf` and `iTXt`, WebP `EXIF`, HEIC `Exif`
//! item) and a small MP4 with a `©xyz` location. Every metadata block carries
//! [`GPS_MARKER`], so a test can check that none of it survives ingest.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};

/// Bytes that stand for a location (Slawi) in every sample's metadata.
pub const GPS_MARKER: &[u8] = b"-6.9811+109.1402";

fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 128])
    })
}

/// A big-endian TIFF (Exif) block with a GPS IFD: latitude S 6°58'51.23", and
/// [`GPS_MARKER`] as GPSProcessingMethod.
pub fn exif_tiff() -> Vec<u8> {
    exif_tiff_oriented(None)
}

/// [`exif_tiff`] with an Orientation in IFD0 (6: the camera was held upright, the
/// pixels are stored on their side).
pub fn exif_tiff_oriented(orientation: Option<u16>) -> Vec<u8> {
    let entries = 1 + u32::from(orientation.is_some());
    let gps_ifd = 8 + 2 + 12 * entries + 4;
    let data = gps_ifd + 2 + 3 * 12 + 4;
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\x00\x2a");
    t.extend_from_slice(&8u32.to_be_bytes());
    // IFD0 at 8: the orientation (a SHORT, left-justified) and GPSInfo.
    t.extend_from_slice(&(entries as u16).to_be_bytes());
    if let Some(orientation) = orientation {
        entry(&mut t, 0x0112, 3, 1, u32::from(orientation) << 16);
    }
    entry(&mut t, 0x8825, 4, 1, gps_ifd);
    t.extend_from_slice(&0u32.to_be_bytes());
    // The GPS IFD: three entries, then their data.
    t.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_be_bytes(*b"S\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, data);
    entry(&mut t, 0x001B, 7, GPS_MARKER.len() as u32, data + 24);
    t.extend_from_slice(&0u32.to_be_bytes());
    for (num, den) in [(6u32, 1u32), (58, 1), (5123, 100)] {
        t.extend_from_slice(&num.to_be_bytes());
        t.extend_from_slice(&den.to_be_bytes());
    }
    t.extend_from_slice(GPS_MARKER);
    t
}

fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    t.extend_from_slice(&tag.to_be_bytes());
    t.extend_from_slice(&kind.to_be_bytes());
    t.extend_from_slice(&count.to_be_bytes());
    t.extend_from_slice(&value.to_be_bytes());
}

fn xmp_packet() -> Vec<u8> {
    let mut x =
        b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description exif:GPSLatitude=\""
            .to_vec();
    x.extend_from_slice(GPS_MARKER);
    x.extend_from_slice(b"\"/></rdf:RDF></x:xmpmeta>");
    x
}

/// A JPEG photo with an Exif APP1 (GPS IFD) and an XMP APP1.
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    jpeg_with_exif(width, height, exif_tiff())
}

/// [`jpeg_with_gps`] whose Exif also carries `orientation`.
pub fn jpeg_with_gps_oriented(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    jpeg_with_exif(width, height, exif_tiff_oriented(Some(orientation)))
}

fn jpeg_with_exif(width: u32, height: u32, tiff: Vec<u8>) -> Vec<u8> {
    let mut plain = Vec::new();
    let image = picture(width, height);
    JpegEncoder::new_with_quality(&mut plain, 85)
        .write_image(image.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("encoding a sample JPEG: {e}"));
    let mut out = vec![0xFF, 0xD8];
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(&xmp_packet());
    for payload in [exif, xmp] {
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
    }
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG image without metadata.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let image = picture(width, height);
    PngEncoder::new(&mut out)
        .write_image(image.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("encoding a sample PNG: {e}"));
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc_input);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A PNG image with an `eXIf` chunk and an XMP `iTXt` chunk.
pub fn png_with_metadata(width: u32, height: u32) -> Vec<u8> {
    let plain = png(width, height);
    // Signature (8) + IHDR (4 + 4 + 13 + 4).
    let after_header = 8 + 25;
    let mut out = plain[..after_header].to_vec();
    out.extend_from_slice(&png_chunk(b"eXIf", &exif_tiff()));
    let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    itxt.extend_from_slice(&xmp_packet());
    out.extend_from_slice(&png_chunk(b"iTXt", &itxt));
    out.extend_from_slice(&plain[after_header..]);
    out
}

fn riff_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// An extended (VP8X) lossless WebP image with an `EXIF` chunk.
pub fn webp_with_exif(width: u32, height: u32) -> Vec<u8> {
    let mut simple = Vec::new();
    let image = picture(width, height);
    WebPEncoder::new_lossless(&mut simple)
        .write_image(image.as_raw(), width, height, ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("encoding a sample WebP: {e}"));
    let mut vp8x = vec![0x08, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(&riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(&simple[12..]);
    body.extend_from_slice(&riff_chunk(b"EXIF", &exif_tiff()));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn bmff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full_box(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut content = vec![version, 0, 0, 0];
    content.extend_from_slice(body);
    bmff(kind, &content)
}

/// A small, structurally complete MP4: `ftyp`, `moov` (`mvhd`, `udta` with a `©xyz`
/// location), `mdat`.
pub fn mp4_with_location() -> Vec<u8> {
    let mut ftyp = b"isom".to_vec();
    ftyp.extend_from_slice(&0x200u32.to_be_bytes());
    ftyp.extend_from_slice(b"isomiso2mp41");
    let mut mvhd = vec![0u8; 96];
    mvhd[8..12].copy_from_slice(&1000u32.to_be_bytes()); // timescale
    mvhd[16..20].copy_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd[20..22].copy_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd[92..96].copy_from_slice(&2u32.to_be_bytes()); // next track id
    let mut xyz = (GPS_MARKER.len() as u16).to_be_bytes().to_vec();
    xyz.extend_from_slice(&0x15c7u16.to_be_bytes());
    xyz.extend_from_slice(GPS_MARKER);
    let udta = bmff(b"udta", &bmff(b"\xA9xyz", &xyz));
    let mut moov = full_box(b"mvhd", 0, &mvhd);
    moov.extend_from_slice(&udta);
    let mut out = bmff(b"ftyp", &ftyp);
    out.extend_from_slice(&bmff(b"moov", &moov));
    out.extend_from_slice(&bmff(b"mdat", &[0x42; 64]));
    out
}

/// A HEIC-branded file: `meta` with an image item and an `Exif` item (located by
/// `iloc` in `mdat`); the image item's data is the text `IMAGEDATA`.
pub fn heic_with_exif() -> Vec<u8> {
    let mut ftyp = b"heic".to_vec();
    ftyp.extend_from_slice(&0u32.to_be_bytes());
    ftyp.extend_from_slice(b"mif1heic");
    let ftyp = bmff(b"ftyp", &ftyp);
    let mut hdlr = vec![0u8; 4];
    hdlr.extend_from_slice(b"pict");
    hdlr.extend_from_slice(&[0u8; 13]);
    let hdlr = full_box(b"hdlr", 0, &hdlr);
    let infe = |id: u16, kind: &[u8; 4]| {
        let mut body = id.to_be_bytes().to_vec();
        body.extend_from_slice(&0u16.to_be_bytes());
        body.extend_from_slice(kind);
        body.push(0);
        full_box(b"infe", 2, &body)
    };
    let mut iinf = 2u16.to_be_bytes().to_vec();
    iinf.extend_from_slice(&infe(1, b"hvc1"));
    iinf.extend_from_slice(&infe(2, b"Exif"));
    let iinf = full_box(b"iinf", 0, &iinf);
    let image = b"IMAGEDATA".to_vec();
    let mut exif = vec![0, 0, 0, 0];
    exif.extend_from_slice(b"Exif\0\0");
    exif.extend_from_slice(&exif_tiff());
    let iloc = |image_at: u32, exif_at: u32| {
        let mut body = vec![0x44, 0x00];
        body.extend_from_slice(&2u16.to_be_bytes());
        for (id, at, len) in [(1u16, image_at, image.len()), (2, exif_at, exif.len())] {
            body.extend_from_slice(&id.to_be_bytes());
            body.extend_from_slice(&0u16.to_be_bytes());
            body.extend_from_slice(&1u16.to_be_bytes());
            body.extend_from_slice(&at.to_be_bytes());
            body.extend_from_slice(&(len as u32).to_be_bytes());
        }
        full_box(b"iloc", 0, &body)
    };
    let meta_of = |iloc: Vec<u8>| {
        let mut body = hdlr.clone();
        body.extend_from_slice(&iinf);
        body.extend_from_slice(&iloc);
        full_box(b"meta", 0, &body)
    };
    let meta_len = meta_of(iloc(0, 0)).len();
    let image_at = (ftyp.len() + meta_len + 8) as u32;
    let exif_at = image_at + image.len() as u32;
    let mut mdat = image.clone();
    mdat.extend_from_slice(&exif);
    let mut out = ftyp.clone();
    out.extend_from_slice(&meta_of(iloc(image_at, exif_at)));
    out.extend_from_slice(&bmff(b"mdat", &mdat));
    out
}

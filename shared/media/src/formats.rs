//! What ingest knows about each file format: recognising it by its magic bytes, checking
//! that the file is whole, and removing the metadata that could reveal where (and by
//! whom) a photo or video was taken.
//!
//! - JPEG: segments are walked up to the image data; APP1 (Exif, XMP), APP3–APP13 and
//!   APP15 (IPTC, maker data) and comments are dropped; APP0 (JFIF), APP2 (ICC colour
//!   profile) and APP14 (Adobe colour transform) are kept. The file must end with EOI.
//! - PNG: chunks are walked to IEND (lengths must fit the file); `eXIf` and every text
//!   chunk (`tEXt`, `zTXt`, `iTXt`, where XMP lives) are dropped.
//! - WebP: the RIFF size must match the file; `EXIF` and `XMP ` chunks are dropped, the
//!   VP8X flags that announce them are cleared and the RIFF size is recomputed.
//! - HEIC: the box structure must add up; the payloads of `Exif` items and of XMP
//!   (`mime` `application/rdf+xml`) items, located through `iloc`, are overwritten with
//!   zeros. The file keeps its layout (no offset changes), the metadata is gone. An
//!   item stored in a way this does not understand (construction method 2, a
//!   zero-length extent) makes the upload rejected rather than published unstripped.
//! - MP4 / QuickTime: the file must start with `ftyp` and its top-level boxes must add
//!   up exactly to the file's length, with a `moov`. The `udta` and `meta` boxes of
//!   `moov` and of each `trak` (where `©xyz` and the QuickTime location key live) are
//!   renamed `free` and zeroed, which players skip: their sizes stay, so no chunk offset
//!   moves.

use crate::policy::ContentType;

/// Why a file was refused, in words for its uploader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// A stable code: `type_mismatch`, `truncated`, `corrupt`, `size_mismatch`,
    /// `unsupported_layout`, `missing`.
    pub code: &'static str,
    pub message_id: String,
    pub message_en: String,
}

impl Rejection {
    pub fn new(code: &'static str, id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            message_id: id.into(),
            message_en: en.into(),
        }
    }

    fn truncated() -> Self {
        Self::new(
            "truncated",
            "Berkas terpotong (unggahan tidak lengkap). Silakan unggah ulang.",
            "The file is truncated (incomplete upload). Please upload it again.",
        )
    }

    fn corrupt(what: &str) -> Self {
        Self::new(
            "corrupt",
            format!("Berkas rusak atau bukan {what} yang sah."),
            format!("The file is damaged or not a valid {what}."),
        )
    }
}

/// The type the file's first bytes show, if it is one the service accepts.
pub fn sniff(bytes: &[u8]) -> Option<ContentType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ContentType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ContentType::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(ContentType::Webp);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let size = be32(bytes, 0)? as usize;
        let end = size.clamp(16, bytes.len());
        let major = &bytes[8..12];
        let compatible = bytes.get(16..end).unwrap_or(&[]).chunks_exact(4);
        let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
        const HEIF: [&[u8]; 8] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
        ];
        if HEIF.contains(&major) || (major == b"mif1" || brands.iter().any(|b| *b == b"heic")) {
            return Some(ContentType::Heic);
        }
        if major == b"qt  " {
            return Some(ContentType::QuickTime);
        }
        return Some(ContentType::Mp4);
    }
    None
}

/// The file checked to be of `declared` type and whole, with its location metadata
/// removed.
pub fn sanitize(declared: ContentType, bytes: &[u8]) -> Result<Vec<u8>, Rejection> {
    let found = sniff(bytes);
    let compatible = match (declared, found) {
        (d, Some(f)) if d == f => true,
        // A QuickTime-branded file declared as MP4 (and the reverse) plays the same.
        (ContentType::Mp4, Some(ContentType::QuickTime))
        | (ContentType::QuickTime, Some(ContentType::Mp4)) => true,
        _ => false,
    };
    if !compatible {
        let actual = found.map(ContentType::as_str).unwrap_or("tidak dikenal");
        let actual_en = found.map(ContentType::as_str).unwrap_or("unknown");
        return Err(Rejection::new(
            "type_mismatch",
            format!(
                "Isi berkas ({actual}) tidak sesuai dengan jenis yang dinyatakan ({declared})."
            ),
            format!(
                "The file's content ({actual_en}) does not match its declared type ({declared})."
            ),
        ));
    }
    match declared {
        ContentType::Jpeg => strip_jpeg(bytes),
        ContentType::Png => strip_png(bytes),
        ContentType::Webp => strip_webp(bytes),
        ContentType::Heic => strip_heic(bytes),
        ContentType::Mp4 | ContentType::QuickTime => strip_movie(bytes),
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The Exif Orientation (2–8) of a TIFF block, when IFD0 has one other than "upright".
/// Phones store portrait photos as landscape pixels with this tag: dropping it would show
/// them on their side.
pub fn tiff_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(0..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let ifd = if big_endian {
        be32(tiff, 4)
    } else {
        le32(tiff, 4)
    }? as usize;
    let count = u16_at(ifd)? as usize;
    for n in 0..count.min(512) {
        let at = ifd + 2 + n * 12;
        if u16_at(at)? == 0x0112 && u16_at(at + 2)? == 3 {
            return u16_at(at + 8).filter(|o| (2..=8).contains(o));
        }
    }
    None
}

/// An Exif APP1 segment that holds nothing but an Orientation.
fn orientation_segment(orientation: u16) -> Vec<u8> {
    let mut payload = b"Exif\0\0MM\0\x2a".to_vec();
    payload.extend_from_slice(&8u32.to_be_bytes());
    payload.extend_from_slice(&1u16.to_be_bytes());
    payload.extend_from_slice(&0x0112u16.to_be_bytes());
    payload.extend_from_slice(&3u16.to_be_bytes());
    payload.extend_from_slice(&1u32.to_be_bytes());
    payload.extend_from_slice(&orientation.to_be_bytes());
    payload.extend_from_slice(&[0, 0]);
    payload.extend_from_slice(&0u32.to_be_bytes());
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

/// JPEG: keep the image, drop Exif/XMP/IPTC/comments; an Exif Orientation is kept, alone
/// in a new Exif segment, so that the photo still shows the right way up.
fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, Rejection> {
    let corrupt = || Rejection::corrupt("JPEG");
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    let mut saw_frame = false;
    let mut kept_orientation = false;
    loop {
        if i >= b.len() {
            return Err(Rejection::truncated());
        }
        if b[i] != 0xFF {
            return Err(corrupt());
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            return Err(Rejection::truncated());
        };
        i += 1;
        match marker {
            0xD8 | 0xD9 | 0x00 => return Err(corrupt()),
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            _ => {}
        }
        let length = be16(b, i).ok_or_else(Rejection::truncated)? as usize;
        if length < 2 {
            return Err(corrupt());
        }
        let end = i + length;
        if end > b.len() {
            return Err(Rejection::truncated());
        }
        let keep = match marker {
            0xE0 | 0xE2 | 0xEE => true,
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
            _ => true,
        };
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            saw_frame = true;
        }
        if keep {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&b[i..end]);
        } else if marker == 0xE1 && !kept_orientation {
            if let Some(orientation) = b[i + 2..end]
                .strip_prefix(b"Exif\0\0")
                .and_then(tiff_orientation)
            {
                out.extend_from_slice(&orientation_segment(orientation));
                kept_orientation = true;
            }
        }
        i = end;
        if marker == 0xDA {
            if !saw_frame {
                return Err(corrupt());
            }
            let mut rest = &b[i..];
            while let [head @ .., 0x00] = rest {
                rest = head;
            }
            if !rest.ends_with(&[0xFF, 0xD9]) {
                return Err(Rejection::truncated());
            }
            out.extend_from_slice(rest);
            return Ok(out);
        }
    }
}

/// PNG: keep every chunk but `eXIf` and the text chunks.
fn strip_png(b: &[u8]) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..8]);
    let mut i = 8;
    let mut first = true;
    loop {
        let length = be32(b, i).ok_or_else(Rejection::truncated)? as usize;
        let kind = b.get(i + 4..i + 8).ok_or_else(Rejection::truncated)?;
        let end = i
            .checked_add(12)
            .and_then(|v| v.checked_add(length))
            .ok_or_else(Rejection::truncated)?;
        if end > b.len() {
            return Err(Rejection::truncated());
        }
        if first && kind != b"IHDR" {
            return Err(Rejection::corrupt("PNG"));
        }
        first = false;
        let drop = matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt");
        if !drop {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            // Anything appended after IEND is not part of the image: left out.
            return Ok(out);
        }
    }
}

/// WebP: drop the EXIF and XMP chunks, clear their VP8X flags, fix the RIFF size.
fn strip_webp(b: &[u8]) -> Result<Vec<u8>, Rejection> {
    let riff = le32(b, 4).ok_or_else(Rejection::truncated)? as usize;
    let end = riff.checked_add(8).ok_or_else(Rejection::truncated)?;
    if end > b.len() {
        return Err(Rejection::truncated());
    }
    let mut body = Vec::with_capacity(end);
    body.extend_from_slice(b"WEBP");
    let mut i = 12;
    let mut saw_image = false;
    while i < end {
        let kind = b.get(i..i + 4).ok_or_else(Rejection::truncated)?;
        let size = le32(b, i + 4).ok_or_else(Rejection::truncated)? as usize;
        let data_end = (i + 8).checked_add(size).ok_or_else(Rejection::truncated)?;
        if data_end > end {
            return Err(Rejection::truncated());
        }
        let padded = (data_end + (size & 1)).min(end);
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut chunk = b[i..padded].to_vec();
                if let Some(flags) = chunk.get_mut(8) {
                    *flags &= !(0x08 | 0x04);
                }
                body.extend_from_slice(&chunk);
            }
            _ => {
                if matches!(kind, b"VP8 " | b"VP8L" | b"ANMF") {
                    saw_image = true;
                }
                body.extend_from_slice(&b[i..padded]);
            }
        }
        i = padded;
    }
    if !saw_image {
        return Err(Rejection::corrupt("WebP"));
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    let size = u32::try_from(body.len()).map_err(|_| Rejection::corrupt("WebP"))?;
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// One ISO base media file format box.
#[derive(Debug, Clone, Copy)]
struct Bmff {
    kind: [u8; 4],
    start: usize,
    /// Where the box's content starts (after size, type and any 64-bit size).
    body: usize,
    end: usize,
}

/// The boxes laid between `start` and `end`; they must fill it exactly.
fn boxes(b: &[u8], start: usize, end: usize) -> Result<Vec<Bmff>, Rejection> {
    let mut found = Vec::new();
    let mut i = start;
    while i < end {
        let size32 = be32(b, i).ok_or_else(Rejection::truncated)?;
        let kind: [u8; 4] = b
            .get(i + 4..i + 8)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(Rejection::truncated)?;
        let (size, header) = match size32 {
            0 => (end - i, 8),
            1 => {
                let large = be64(b, i + 8).ok_or_else(Rejection::truncated)?;
                (usize::try_from(large).unwrap_or(usize::MAX), 16)
            }
            n => (n as usize, 8),
        };
        if size < header {
            return Err(Rejection::corrupt("video"));
        }
        let box_end = i.checked_add(size).ok_or_else(Rejection::truncated)?;
        if box_end > end {
            return Err(Rejection::truncated());
        }
        found.push(Bmff {
            kind,
            start: i,
            body: i + header,
            end: box_end,
        });
        i = box_end;
    }
    Ok(found)
}

/// MP4 / QuickTime: whole, with a movie header; user data and metadata boxes blanked.
fn strip_movie(b: &[u8]) -> Result<Vec<u8>, Rejection> {
    let top = boxes(b, 0, b.len())?;
    if top.first().map(|x| &x.kind) != Some(b"ftyp") {
        return Err(Rejection::corrupt("video"));
    }
    let Some(moov) = top.iter().find(|x| &x.kind == b"moov") else {
        return Err(Rejection::new(
            "corrupt",
            "Video tidak lengkap: bagian indeks (moov) tidak ada.",
            "The video is incomplete: its index (moov) is missing.",
        ));
    };
    let mut out = b.to_vec();
    let mut blank = |x: &Bmff| {
        if matches!(&x.kind, b"udta" | b"meta") {
            out[x.start + 4..x.start + 8].copy_from_slice(b"free");
            out[x.body..x.end].fill(0);
        }
    };
    for child in boxes(b, moov.body, moov.end)? {
        blank(&child);
        if &child.kind == b"trak" {
            for grandchild in boxes(b, child.body, child.end)? {
                blank(&grandchild);
            }
        }
    }
    Ok(out)
}

/// Reads an unsigned integer of `size` bytes (0, 4 or 8).
fn sized(b: &[u8], at: usize, size: usize) -> Option<u64> {
    match size {
        0 => Some(0),
        4 => be32(b, at).map(u64::from),
        8 => be64(b, at),
        _ => None,
    }
}

/// HEIC: Exif and XMP item payloads overwritten with zeros.
fn strip_heic(b: &[u8]) -> Result<Vec<u8>, Rejection> {
    let corrupt = || Rejection::corrupt("HEIC");
    let unsupported = || {
        Rejection::new(
            "unsupported_layout",
            "Metadata foto HEIC ini tidak dapat dihapus dengan aman. Kirim foto sebagai JPEG.",
            "This HEIC photo's metadata cannot be removed safely. Send the photo as JPEG.",
        )
    };
    let top = boxes(b, 0, b.len())?;
    if top.first().map(|x| &x.kind) != Some(b"ftyp") {
        return Err(corrupt());
    }
    let meta = top
        .iter()
        .find(|x| &x.kind == b"meta")
        .ok_or_else(corrupt)?;
    // `meta` is a full box: version and flags precede its children.
    let children = boxes(b, meta.body + 4, meta.end)?;
    let find = |kind: &[u8; 4]| children.iter().find(|x| &x.kind == kind).copied();

    // Items holding metadata, from `iinf`.
    let mut targets = Vec::new();
    if let Some(iinf) = find(b"iinf") {
        let version = *b.get(iinf.body).ok_or_else(corrupt)?;
        let entries_at = iinf.body + 4 + if version == 0 { 2 } else { 4 };
        for infe in boxes(b, entries_at, iinf.end)? {
            if &infe.kind != b"infe" {
                continue;
            }
            let version = *b.get(infe.body).ok_or_else(corrupt)?;
            if version < 2 {
                continue;
            }
            let mut at = infe.body + 4;
            let id = if version == 2 {
                at += 2;
                u64::from(be16(b, at - 2).ok_or_else(corrupt)?)
            } else {
                at += 4;
                u64::from(be32(b, at - 4).ok_or_else(corrupt)?)
            };
            at += 2; // protection index
            let item_type = b.get(at..at + 4).ok_or_else(corrupt)?;
            at += 4;
            let is_meta = match item_type {
                b"Exif" => true,
                b"mime" => {
                    let rest = b.get(at..infe.end).ok_or_else(corrupt)?;
                    let mut strings = rest.split(|c| *c == 0);
                    let _name = strings.next();
                    let content_type = strings.next().unwrap_or(&[]);
                    let content_type = String::from_utf8_lossy(content_type).to_lowercase();
                    content_type.contains("rdf+xml") || content_type.contains("xmp")
                }
                _ => false,
            };
            if is_meta {
                targets.push(id);
            }
        }
    }
    let mut out = b.to_vec();
    if targets.is_empty() {
        return Ok(out);
    }
    let iloc = find(b"iloc").ok_or_else(corrupt)?;
    let idat = find(b"idat");
    let version = *b.get(iloc.body).ok_or_else(corrupt)?;
    let mut at = iloc.body + 4;
    let sizes = be16(b, at).ok_or_else(corrupt)?;
    at += 2;
    let offset_size = usize::from(sizes >> 12);
    let length_size = usize::from((sizes >> 8) & 0xF);
    let base_offset_size = usize::from((sizes >> 4) & 0xF);
    let index_size = if version == 1 || version == 2 {
        usize::from(sizes & 0xF)
    } else {
        0
    };
    let item_count = if version < 2 {
        at += 2;
        u64::from(be16(b, at - 2).ok_or_else(corrupt)?)
    } else {
        at += 4;
        u64::from(be32(b, at - 4).ok_or_else(corrupt)?)
    };
    for _ in 0..item_count {
        let id = if version < 2 {
            at += 2;
            u64::from(be16(b, at - 2).ok_or_else(corrupt)?)
        } else {
            at += 4;
            u64::from(be32(b, at - 4).ok_or_else(corrupt)?)
        };
        let method = if version == 1 || version == 2 {
            at += 2;
            be16(b, at - 2).ok_or_else(corrupt)? & 0xF
        } else {
            0
        };
        at += 2; // data reference index
        let base = sized(b, at, base_offset_size).ok_or_else(corrupt)?;
        at += base_offset_size;
        let extents = be16(b, at).ok_or_else(corrupt)?;
        at += 2;
        for _ in 0..extents {
            at += index_size;
            let offset = sized(b, at, offset_size).ok_or_else(corrupt)?;
            at += offset_size;
            let length = sized(b, at, length_size).ok_or_else(corrupt)?;
            at += length_size;
            if !targets.contains(&id) {
                continue;
            }
            let origin = match (method, idat) {
                (0, _) => 0,
                (1, Some(idat)) => idat.body as u64,
                _ => return Err(unsupported()),
            };
            if length == 0 {
                return Err(unsupported());
            }
            let start = origin
                .checked_add(base)
                .and_then(|v| v.checked_add(offset))
                .and_then(|v| usize::try_from(v).ok())
                .ok_or_else(corrupt)?;
            let end = usize::try_from(length)
                .ok()
                .and_then(|l| start.checked_add(l))
                .ok_or_else(corrupt)?;
            if end > out.len() {
                return Err(Rejection::truncated());
            }
            out[start..end].fill(0);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_xmp_but_keeps_its_image() {
        let original = samples::jpeg_with_gps(64, 48);
        assert!(contains(&original, samples::GPS_MARKER));
        let clean = sanitize(ContentType::Jpeg, &original).unwrap();
        assert!(!contains(&clean, b"Exif\0\0"));
        assert!(!contains(&clean, samples::GPS_MARKER));
        assert!(!contains(&clean, b"http://ns.adobe.com/xap/1.0/"));
        assert!(image::load_from_memory(&clean).is_ok());
    }

    #[test]
    fn a_portrait_jpeg_keeps_its_orientation_and_nothing_else_of_its_exif() {
        let photo = samples::jpeg_with_gps_oriented(64, 32, 6);
        let clean = sanitize(ContentType::Jpeg, &photo).unwrap();
        assert!(!contains(&clean, samples::GPS_MARKER));
        let exif = clean
            .windows(6)
            .position(|w| w == b"Exif\0\0")
            .expect("an Exif segment with the orientation");
        assert_eq!(tiff_orientation(&clean[exif + 6..]), Some(6));
        // Upright photos carry no Exif at all.
        let upright = sanitize(
            ContentType::Jpeg,
            &samples::jpeg_with_gps_oriented(64, 32, 1),
        )
        .unwrap();
        assert!(!contains(&upright, b"Exif"));
        image::load_from_memory(&clean).expect("still a JPEG");
    }

    #[test]
    fn little_endian_orientation_is_read_too() {
        let mut tiff = b"II\x2a\0".to_vec();
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        for v in [0x0112u16, 3] {
            tiff.extend_from_slice(&v.to_le_bytes());
        }
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&8u16.to_le_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        assert_eq!(tiff_orientation(&tiff), Some(8));
        assert_eq!(tiff_orientation(&tiff[..12]), None, "cut short");
        assert_eq!(tiff_orientation(b"XX"), None);
    }

    #[test]
    fn a_jpeg_cut_short_is_truncated() {
        let original = samples::jpeg_with_gps(64, 48);
        for cut in [original.len() - 2, original.len() / 2, 40] {
            let result = sanitize(ContentType::Jpeg, &original[..cut]);
            assert_eq!(result.unwrap_err().code, "truncated", "cut at {cut}");
        }
    }

    #[test]
    fn a_png_loses_its_exif_and_text_chunks() {
        let original = samples::png_with_metadata(20, 10);
        assert!(contains(&original, b"eXIf") && contains(&original, b"iTXt"));
        let clean = sanitize(ContentType::Png, &original).unwrap();
        assert!(!contains(&clean, b"eXIf"));
        assert!(!contains(&clean, b"iTXt"));
        assert!(!contains(&clean, samples::GPS_MARKER));
        assert!(image::load_from_memory(&clean).is_ok());
        let cut = &original[..original.len() - 5];
        assert_eq!(
            sanitize(ContentType::Png, cut).unwrap_err().code,
            "truncated"
        );
    }

    #[test]
    fn a_webp_loses_its_exif_and_its_flags_and_size_are_fixed() {
        let original = samples::webp_with_exif(16, 16);
        assert_eq!(original[20] & 0x08, 0x08);
        let clean = sanitize(ContentType::Webp, &original).unwrap();
        assert!(!contains(&clean, b"EXIF"));
        assert!(!contains(&clean, samples::GPS_MARKER));
        assert_eq!(
            clean[20] & 0x0C,
            0,
            "the VP8X EXIF and XMP flags are cleared"
        );
        assert_eq!(le32(&clean, 4).unwrap() as usize, clean.len() - 8);
        assert!(image::load_from_memory(&clean).is_ok());
    }

    #[test]
    fn a_movie_keeps_its_length_and_loses_its_location_box() {
        let original = samples::mp4_with_location();
        assert!(contains(&original, samples::GPS_MARKER));
        let clean = sanitize(ContentType::Mp4, &original).unwrap();
        assert_eq!(clean.len(), original.len());
        assert!(!contains(&clean, b"udta"));
        let truncated = &original[..original.len() - 3];
        assert_eq!(
            sanitize(ContentType::Mp4, truncated).unwrap_err().code,
            "truncated"
        );
    }

    #[test]
    fn a_heic_exif_item_is_zeroed_in_place() {
        let original = samples::heic_with_exif();
        assert!(contains(&original, samples::GPS_MARKER));
        assert_eq!(sniff(&original), Some(ContentType::Heic));
        let clean = sanitize(ContentType::Heic, &original).unwrap();
        assert_eq!(clean.len(), original.len());
        assert!(!contains(&clean, samples::GPS_MARKER));
        assert!(
            contains(&clean, b"IMAGEDATA"),
            "the image item is untouched"
        );
    }

    #[test]
    fn a_file_of_another_type_than_declared_is_a_type_mismatch() {
        let png = samples::png_with_metadata(4, 4);
        let rejection = sanitize(ContentType::Jpeg, &png).unwrap_err();
        assert_eq!(rejection.code, "type_mismatch");
        assert!(rejection.message_en.contains("image/png"));
        let rejection = sanitize(ContentType::Mp4, b"not a video at all").unwrap_err();
        assert_eq!(rejection.code, "type_mismatch");
    }
}

//! PDF text extraction (placeholder until the lopdf reader lands).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF is encrypted; imrlint cannot read encrypted letters")]
    Encrypted,
    #[error("the PDF has no extractable text (scanned image? imrlint does not do OCR)")]
    NoText,
    #[error("the PDF is damaged or not a PDF: {0}")]
    Malformed(String),
}
pub fn extract_text(_bytes: &[u8]) -> Result<String, PdfError> {
    Err(PdfError::Malformed("not yet".into()))
}

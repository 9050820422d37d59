namespace EdgeLlm.Models;

/// <summary>
/// A model known to run on this engine, pullable by a short name. Sizes are approximate (read from the publishers'
/// pages, not downloaded here); no checksum is built in, because none could be read from the publishers here: the
/// download is verified against the sha256 Hugging Face sends with it (X-Linked-Etag).
/// </summary>
public sealed record CuratedModel(string Name, string Description, string Repository, string File, double ApproxSizeGb, double ApproxRamGb)
{
    public const string ChecksumNote = "from the server's X-Linked-Etag at download";
}

namespace EdgeLlm.Models;

/// <summary>A complete model file in the store.</summary>
public sealed record StoredModel(string Name, string Path, long Size, DateTime Modified);

/// <summary>An interrupted download in the store: kept so the next pull of the same file resumes it.</summary>
public sealed record PartialDownload(string Name, string Path, long Size, long? ExpectedSize);

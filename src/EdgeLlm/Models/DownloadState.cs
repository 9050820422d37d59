using System.Security.Cryptography;

namespace EdgeLlm.Models;

/// <summary>
/// The partial file of one download and what is known about it: its length, the size and sha256 it must reach, and the
/// running sha256 of the bytes written (so a resume in the same run does not read the file again).
/// </summary>
internal sealed class DownloadState(DownloadRequest request)
{
    private IncrementalHash? _hash;
    private long _hashedBytes;
    private PartialRecord? _recorded;

    public DownloadRequest Request { get; } = request;
    public long Length { get; private set; }
    public long? Total { get; private set; }
    public string? Sha256 { get; private set; }
    public string ShaOrigin { get; private set; } = request.ShaOrigin;
    /// <summary>The size the partial file's record expects (from an earlier run), before the server is asked again.</summary>
    public long? RecordedSize => _recorded?.Size;

    /// <summary>Keeps a partial file only when its record (what it was a part of) was kept too.</summary>
    public void DiscardUnlessRecorded()
    {
        _recorded = PartialRecord.TryRead(Request.RecordPath);
        if (_recorded is null || !File.Exists(Request.PartialPath)) Discard();
        else Length = new FileInfo(Request.PartialPath).Length;
    }

    /// <summary>
    /// Takes on what the server announced; false (after discarding the partial file) when the partial belongs to another
    /// file, e.g. the repository's file changed since the cut.
    /// </summary>
    public bool Adopt(PartialRecord announced, string shaOrigin)
    {
        if (_recorded is not null && !_recorded.SameFileAs(announced))
        {
            Discard();
            return false;
        }
        var merged = new PartialRecord(announced.Url, announced.Size ?? _recorded?.Size, announced.Sha256 ?? _recorded?.Sha256);
        try
        {
            merged.Write(Request.RecordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PullException($"cannot write in the model store: {e.Message.TrimEnd('.')}");
        }
        _recorded = merged;
        Total = merged.Size;
        Sha256 = merged.Sha256;
        if (announced.Sha256 is not null) ShaOrigin = shaOrigin;
        return true;
    }

    /// <summary>The partial file opened at its end, with the sha256 of the bytes already in it.</summary>
    public FileStream OpenForAppend()
    {
        if (_hash is null || _hashedBytes != Length) HashExistingBytes();
        // bufferSize 0: every write reaches the file at once, so Length always matches what is on disk.
        FileStream output;
        try
        {
            output = new FileStream(Request.PartialPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PullException($"cannot write in the model store: {e.Message.TrimEnd('.')}");
        }
        output.SetLength(Length);
        output.Position = Length;
        return output;
    }

    public void Append(FileStream output, ReadOnlySpan<byte> bytes)
    {
        try
        {
            output.Write(bytes);
        }
        catch (IOException e)
        {
            throw Refuse($"cannot write {Request.PartialPath}: {e.Message.TrimEnd('.')}; nothing kept");
        }
        _hash!.AppendData(bytes);
        Length += bytes.Length;
        _hashedBytes = Length;
    }

    /// <summary>fsync: the bytes are on the disk before the file is renamed into the store.</summary>
    public void Sync(FileStream output)
    {
        try
        {
            output.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw Refuse($"cannot write {Request.PartialPath}: {e.Message.TrimEnd('.')}; nothing kept");
        }
    }

    public string FinishHash()
    {
        if (_hash is null || _hashedBytes != Length) HashExistingBytes();
        return Convert.ToHexStringLower(_hash!.GetHashAndReset());
    }

    /// <summary>Discards the download and returns the error to throw: after a lie or a mismatch nothing may be reused.</summary>
    public PullException Refuse(string message)
    {
        Discard();
        return new PullException(message);
    }

    public void Discard()
    {
        File.Delete(Request.PartialPath);
        File.Delete(Request.RecordPath);
        _recorded = null;
        Length = 0;
        Total = null;
        Sha256 = null;
        _hash?.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _hashedBytes = 0;
    }

    private void HashExistingBytes()
    {
        _hash?.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (Length > 0)
        {
            using var input = new FileStream(Request.PartialPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
            var buffer = new byte[1 << 20];
            long left = Length;
            while (left > 0)
            {
                int read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0) throw new IOException($"{Request.PartialPath} is shorter than expected");
                _hash.AppendData(buffer, 0, read);
                left -= read;
            }
        }
        _hashedBytes = Length;
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace EdgeLlm.Models;

/// <summary>
/// Downloads one file into a partial file that survives a cut: each try asks for the missing bytes only (HTTP Range),
/// the sha256 is computed while the bytes arrive, and the result is synced to disk before the caller renames it. A server
/// that contradicts itself about the size, or a file whose sha256 differs from the expected one, leaves nothing behind.
/// </summary>
public sealed class FileDownloader(HttpClient http, PullOptions options)
{
    private const int BufferBytes = 1 << 20;
    private const int MaxRestarts = 3;

    public async Task<DownloadedFile> DownloadAsync(DownloadRequest request, Action<PullProgress> progress, CancellationToken ct)
    {
        var state = new DownloadState(request);
        state.DiscardUnlessRecorded();
        int restarts = 0;
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    if (await TryOnceAsync(state, progress, ct).ConfigureAwait(false)) break;
                    // The server's file changed or it ignored Range: starting over is not a failed try, unless it never settles.
                    if (++restarts > MaxRestarts)
                        throw state.Refuse($"{request.Url.Authority} does not serve {request.Url} consistently (its byte ranges do not match); nothing kept");
                    attempt--;
                }
                catch (Exception e) when (IsCut(e, ct))
                {
                    string why = e is OperationCanceledException ? $"no data for {options.StallTimeout.TotalSeconds:0.#} s" : "connection cut";
                    if (attempt >= options.MaxAttempts)
                        throw new PullException(
                            $"download from {request.Url.Authority} failed at {Bytes(state.Length)} of {Bytes(state.Total)} ({why}, {attempt} tries); " +
                            "run the same pull again to resume", partialKept: true);
                    progress(new PullProgress($"{why}; resuming at {Bytes(state.Length)}", state.Length, state.Total, request.Digest));
                    await Task.Delay(options.RetryDelay, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new PullException(
                $"interrupted at {Bytes(state.Length)} of {Bytes(state.Total)}; {request.PartialPath} is kept and the same pull resumes it",
                partialKept: true);
        }

        progress(new PullProgress(PullProgress.Verifying, state.Length, state.Total, request.Digest));
        string sha = state.FinishHash();
        if (state.Sha256 is { } expected && !expected.Equals(sha, StringComparison.OrdinalIgnoreCase))
        {
            state.Discard();
            throw new PullException($"sha256 mismatch for {request.Url}: expected {expected} ({state.ShaOrigin}), got {sha}; nothing kept");
        }
        return new DownloadedFile(state.Length, sha, state.Sha256 is null ? null : state.ShaOrigin);
    }

    /// <summary>One request; true when the file is complete, false to start over, an exception for a cut or a failure.</summary>
    private async Task<bool> TryOnceAsync(DownloadState state, Action<PullProgress> progress, CancellationToken ct)
    {
        var request = state.Request;
        long have = state.Length;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(options.StallTimeout);
        HttpResponseMessage response;
        LinkedFileHeaders linked;
        try
        {
            (response, linked) = await PullHttp.SendAsync(http, request.Url,
                r => { if (have > 0) r.Headers.Range = new RangeHeaderValue(have, null); }, stall.Token).ConfigureAwait(false);
        }
        catch (PullException e) when (have > 0)
        {
            throw new PullException($"{e.Message}; {request.PartialPath} is kept and the same pull resumes it", partialKept: true);
        }
        using (response)
        {
            int status = (int)response.StatusCode;
            string shaOrigin = linked.Sha256 is not null && request.ExpectedSha256 is null ? "the server's X-Linked-Etag" : request.ShaOrigin;
            if (status == 416 && have > 0 && have == (linked.Size ?? request.ExpectedSize ?? state.RecordedSize) &&
                state.Adopt(new PartialRecord(request.Url.AbsoluteUri, have, request.ExpectedSha256 ?? linked.Sha256), shaOrigin))
                return true; // the partial file already holds every byte
            if (status == 416 || (status == 206 && response.Content.Headers.ContentRange?.From != have))
            {
                state.Discard(); // the server does not agree with the partial file: download it all again
                return false;
            }
            if (status is not (200 or 206))
                throw new PullException(PullHttp.DescribeStatus(response, request.Url, "file"), partialKept: have > 0);
            if (status == 200 && have > 0)
            {
                state.Discard(); // the server ignored Range and sends the whole file
                have = 0;
            }

            long? bodyTotal = response.Content.Headers.ContentRange?.Length
                ?? (response.Content.Headers.ContentLength is long length ? have + length : null);
            long? announced = linked.Size ?? request.ExpectedSize;
            if (announced is long a && bodyTotal is long b && a != b)
                throw state.Refuse($"{request.Url.Authority} announces {request.Url} as {a:N0} bytes but sends {b:N0}; nothing kept");
            if (linked.Sha256 is { } sent && request.ExpectedSha256 is { } wanted && !sent.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                throw state.Refuse($"{request.Url.Authority} says the file's sha256 is {sent} but {request.ShaOrigin} says {wanted}; nothing kept");

            CheckDiskSpace(state, announced ?? bodyTotal, have);
            var record = new PartialRecord(request.Url.AbsoluteUri, announced ?? bodyTotal, request.ExpectedSha256 ?? linked.Sha256);
            if (!state.Adopt(record, shaOrigin))
                return false; // a different file than the partial one: it was discarded

            await using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            await using var output = state.OpenForAppend();
            var buffer = new byte[BufferBytes];
            var clock = Stopwatch.StartNew();
            TimeSpan? lastReport = null;
            while (true)
            {
                stall.CancelAfter(options.StallTimeout);
                int read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                if (read == 0) break;
                if (state.Total is long total && state.Length + read > total)
                    throw state.Refuse($"{request.Url.Authority} sends more than the {total:N0} bytes it announced for {request.Url}; nothing kept");
                state.Append(output, buffer.AsSpan(0, read));
                if (lastReport is null || clock.Elapsed - lastReport >= options.ProgressInterval)
                {
                    lastReport = clock.Elapsed;
                    progress(new PullProgress(PullProgress.Downloading, state.Length, state.Total, request.Digest));
                }
            }
            state.Sync(output);
            progress(new PullProgress(PullProgress.Downloading, state.Length, state.Total, request.Digest));
            if (state.Total is long expectedTotal && state.Length < expectedTotal)
                throw new HttpIOException(HttpRequestError.ResponseEnded, "the response ended early"); // a cut: resume
            return true;
        }
    }

    /// <summary>Before the first byte is written: the rest of the file must fit with the reserve still free.</summary>
    private void CheckDiskSpace(DownloadState state, long? fileSize, long have)
    {
        if (fileSize is not long total) return; // unknown size: a full disk shows as a write error instead
        string directory = Path.GetDirectoryName(Path.GetFullPath(state.Request.PartialPath))!;
        var (available, size) = options.Disk.Query(directory);
        long reserve = Core.Model.DiskReserve.KeepFreeBytes(size);
        long needed = total - have;
        if (available < needed + reserve)
            throw new PullException(
                $"not enough disk space in {directory}: the model needs {Gb(needed)} more, {Gb(reserve)} must stay free and {Gb(available)} are available",
                partialKept: have > 0);
    }

    /// <summary>A connection cut, a read error or a stall: worth resuming. A PullException is a verdict and is not retried.</summary>
    private static bool IsCut(Exception e, CancellationToken ct) => e switch
    {
        PullException => false,
        OperationCanceledException => !ct.IsCancellationRequested,
        HttpIOException or HttpRequestException or IOException => true, // write errors arrive as PullException
        _ => false,
    };

    internal static string Bytes(long? n) => n is long b ? $"{b / 1048576.0:F1} MiB" : "an unknown size";
    private static string Gb(long n) => $"{n / 1e9:F2} GB";
}

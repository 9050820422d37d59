using EdgeLlm.Models;

namespace EdgeLlm.Tests.Models;

/// <summary><see cref="ModelPuller"/> against a local fake Hugging Face / ollama registry (127.0.0.1 only).</summary>
public class ModelPullerTests
{
    [Fact]
    public async Task Hugging_Face_file_follows_the_redirect_and_is_verified_against_X_Linked_Etag()
    {
        using var kit = new PullTestKit();
        var result = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");

        Assert.Equal("stories260K", result.Name);
        Assert.Equal(kit.Sha256, result.Sha256);
        Assert.Equal("the server's X-Linked-Etag", result.VerifiedAgainst);
        Assert.Equal(kit.Model, File.ReadAllBytes(kit.Store.PathFor("stories260K")));
        Assert.Equal(["stories260K.gguf"], kit.StoreFiles());
        Assert.True(result.Runs, result.RunsHere);
        Assert.Equal("llama", result.Summary.Architecture);
        var paths = kit.Server.Requests.Select(r => r.Path).ToList();
        Assert.Equal([$"/{PullTestKit.Repo}/resolve/main/{PullTestKit.File}", $"/cdn/{PullTestKit.File}"], paths);
        var statuses = kit.Progress.Select(p => p.Status).Distinct().ToList();
        Assert.Equal([PullProgress.PullingManifest, PullProgress.Downloading, PullProgress.Verifying, PullProgress.Success], statuses);
        var last = kit.Progress.Last(p => p.Status == PullProgress.Downloading);
        Assert.Equal((kit.Model.Length, (long?)kit.Model.Length), (last.Completed, last.Total));
    }

    [Fact]
    public async Task Curated_name_pulls_its_exact_Hugging_Face_file_under_the_short_name()
    {
        using var kit = new PullTestKit();
        kit.Server.AddFile("Llama-3.2-1B-Instruct-Q4_K_M.gguf", kit.Model); // the fixture stands in for the real file
        var result = await kit.PullAsync("llama3.2-1b");
        Assert.Equal("llama3.2-1b", result.Name);
        Assert.Equal("the server's X-Linked-Etag", result.VerifiedAgainst);
        Assert.Equal("/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf", kit.Server.Requests.First().Path);
    }

    [Fact]
    public async Task Source_text_overload_for_the_HTTP_API_reads_ollama_names_and_refuses_bad_ones()
    {
        using var kit = new PullTestKit();
        var puller = new ModelPuller(kit.Store, kit.Options());
        var statuses = new List<string>();
        var result = await puller.PullAsync("tinystories:260k", p => statuses.Add(p.Status), CancellationToken.None);
        Assert.Equal("tinystories_260k", result.Name);
        Assert.Equal(PullProgress.PullingManifest, statuses[0]);
        Assert.Equal([PullProgress.Verifying, PullProgress.Success], statuses[^2..]);
        var e = await Assert.ThrowsAsync<PullException>(() => puller.PullAsync("Not A Model!", _ => { }, CancellationToken.None));
        Assert.Contains("'Not A Model!' is not a model source", e.Message);
    }

    [Fact]
    public async Task Hugging_Face_web_page_url_is_downloaded_from_its_resolve_url()
    {
        using var kit = new PullTestKit();
        var result = await kit.PullAsync(new Uri(kit.Server.BaseUri, $"/{PullTestKit.Repo}/blob/main/{PullTestKit.File}").AbsoluteUri);
        Assert.Equal("the server's X-Linked-Etag", result.VerifiedAgainst);
        Assert.Contains(kit.Server.Requests, r => r.Path == $"/{PullTestKit.Repo}/resolve/main/{PullTestKit.File}");
    }

    [Fact]
    public async Task Ollama_name_reads_the_manifest_with_its_accept_header_then_the_model_blob_by_digest()
    {
        using var kit = new PullTestKit();
        var result = await kit.PullAsync("tinystories:260k");

        Assert.Equal("tinystories_260k", result.Name);
        Assert.Equal("the registry's digest", result.VerifiedAgainst);
        var manifest = kit.Server.Requests.First();
        Assert.Equal("/v2/library/tinystories/manifests/260k", manifest.Path);
        Assert.Contains("application/vnd.docker.distribution.manifest.v2+json", manifest.Accept);
        Assert.Contains(kit.Server.Requests, r => r.Path == $"/v2/library/tinystories/blobs/sha256:{kit.Sha256}");
        Assert.Contains(kit.Progress, p => p.Status == PullProgress.Downloading && p.Digest == "sha256:" + kit.Sha256);
        Assert.Equal(kit.Model, File.ReadAllBytes(kit.Store.PathFor("tinystories_260k")));
        Assert.Equal(kit.Store.PathFor("tinystories_260k"), kit.Store.Find("tinystories:260k")); // the name ollama clients use
    }

    [Fact]
    public async Task A_cut_download_resumes_with_Range_and_ends_complete_and_verified()
    {
        using var kit = new PullTestKit();
        kit.Server.CutAfter.Enqueue(400_000);
        var result = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");

        var cdn = kit.Server.Requests.Where(r => r.Path.StartsWith("/cdn/")).ToList();
        Assert.Equal(2, cdn.Count);
        Assert.Null(cdn[0].Range);
        Assert.Equal("bytes=400000-", cdn[1].Range);
        Assert.Equal(kit.Sha256, result.Sha256);
        Assert.Equal(kit.Model, File.ReadAllBytes(result.Path));
        Assert.Contains(kit.Progress, p => p.Status.StartsWith("connection cut; resuming at"));
    }

    [Fact]
    public async Task A_server_ignoring_Range_after_a_cut_sends_the_whole_file_again_which_replaces_the_partial_one()
    {
        using var kit = new PullTestKit();
        kit.Server.IgnoreRange = true;
        kit.Server.CutAfter.Enqueue(400_000);
        var result = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");
        Assert.Equal("bytes=400000-", kit.Server.Requests.Last().Range);
        Assert.Equal(kit.Sha256, result.Sha256);
        Assert.Equal(kit.Model, File.ReadAllBytes(result.Path));
    }

    [Fact]
    public async Task Interrupted_pull_keeps_the_partial_file_which_is_not_a_model_and_the_next_pull_resumes_it()
    {
        using var kit = new PullTestKit();
        kit.Server.PieceDelay = TimeSpan.FromMilliseconds(40);
        using var ctrlC = new CancellationTokenSource();
        var options = kit.Options() with { };
        var pull = new ModelPuller(kit.Store, options).PullAsync(ModelSourceParser.Parse($"hf:{PullTestKit.Repo}/{PullTestKit.File}", kit.Endpoints),
            null, null, false, p => { if (p.Completed >= 300_000) ctrlC.Cancel(); }, ctrlC.Token);
        var e = await Assert.ThrowsAsync<PullException>(() => pull);

        Assert.True(e.PartialKept);
        Assert.Contains("interrupted at", e.Message);
        Assert.Empty(kit.Store.List());
        var partial = Assert.Single(kit.Store.Partials());
        Assert.Equal(kit.Model.Length, partial.ExpectedSize);
        Assert.True(partial.Size >= 300_000 && partial.Size < kit.Model.Length);
        Assert.Equal("stories260K", ModelStore.ResolveModelSetting("stories260K", kit.Store.Directory)); // not taken for a model

        kit.Server.PieceDelay = TimeSpan.Zero;
        var result = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");
        Assert.Equal($"bytes={partial.Size}-", kit.Server.Requests.Last(r => r.Path.StartsWith("/cdn/")).Range);
        Assert.Equal(kit.Sha256, result.Sha256);
        Assert.Equal(["stories260K.gguf"], kit.StoreFiles());
    }

    [Fact]
    public async Task Wrong_checksum_is_refused_and_nothing_is_kept()
    {
        using var kit = new PullTestKit();
        kit.Server.AnnouncedSha256 = new string('a', 64);
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}"));
        Assert.Contains($"sha256 mismatch", e.Message);
        Assert.Contains("the server's X-Linked-Etag", e.Message);
        Assert.Contains("nothing kept", e.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task Wrong_user_checksum_on_a_plain_url_is_refused_and_nothing_is_kept()
    {
        using var kit = new PullTestKit();
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync(kit.Server.CdnUrl(PullTestKit.File).AbsoluteUri, sha256: new string('b', 64)));
        Assert.Contains("(--sha256)", e.Message);
        Assert.Empty(kit.StoreFiles());
        var ok = await kit.PullAsync(kit.Server.CdnUrl(PullTestKit.File).AbsoluteUri, sha256: kit.Sha256.ToUpperInvariant());
        Assert.Equal("--sha256", ok.VerifiedAgainst);
    }

    [Fact]
    public async Task Plain_url_without_any_checksum_is_kept_but_reported_unverified()
    {
        using var kit = new PullTestKit();
        var result = await kit.PullAsync(kit.Server.CdnUrl(PullTestKit.File).AbsoluteUri);
        Assert.Null(result.VerifiedAgainst);
        Assert.Equal(kit.Sha256, result.Sha256);
    }

    [Fact]
    public async Task Server_announcing_a_size_it_does_not_send_is_refused_and_nothing_is_kept()
    {
        using var kit = new PullTestKit();
        kit.Server.AnnouncedSize = kit.Model.Length + 1000;
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}"));
        Assert.Contains($"announces", e.Message);
        Assert.Contains($"{kit.Model.Length + 1000:N0} bytes but sends {kit.Model.Length:N0}", e.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task Server_streaming_more_than_it_announced_is_refused_and_nothing_is_kept()
    {
        using var kit = new PullTestKit();
        kit.Server.Chunked = true; // no Content-Length: only X-Linked-Size says how big the file is
        kit.Server.AnnouncedSize = 500_000;
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}"));
        Assert.Contains("sends more than the 500,000 bytes it announced", e.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task Slow_server_still_delivers_the_file()
    {
        using var kit = new PullTestKit();
        kit.Server.PieceDelay = TimeSpan.FromMilliseconds(15);
        var result = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}", options: kit.Options(stall: TimeSpan.FromSeconds(2)));
        Assert.Equal(kit.Sha256, result.Sha256);
        Assert.True(kit.Progress.Count(p => p.Status == PullProgress.Downloading) > 5);
    }

    [Fact]
    public async Task Stalled_server_counts_as_a_cut_and_the_partial_file_is_kept()
    {
        using var kit = new PullTestKit();
        kit.Server.StallBeforeCut = TimeSpan.FromSeconds(3);
        kit.Server.CutAfter.Enqueue(300_000);
        kit.Server.CutAfter.Enqueue(0); // the resume stalls too
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}",
            options: kit.Options(stall: TimeSpan.FromMilliseconds(300), attempts: 2)));
        Assert.Contains("no data for 0.3 s, 2 tries", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.True(e.PartialKept);
        Assert.Equal(300_000, Assert.Single(kit.Store.Partials()).Size);
        Assert.Empty(kit.Store.List());
    }

    [Fact]
    public async Task Full_disk_is_refused_before_anything_is_written()
    {
        using var kit = new PullTestKit();
        kit.Disk.Available = 100L << 20; // 100 MiB free: less than the 512 MiB that must stay free
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}"));
        Assert.Contains("not enough disk space in", e.Message);
        Assert.Contains("must stay free", e.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task Missing_file_and_unknown_ollama_model_are_404s_naming_the_host()
    {
        using var kit = new PullTestKit();
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"hf:{PullTestKit.Repo}/missing.gguf"));
        Assert.Equal($"file not found (404 from 127.0.0.1:{kit.Server.Port}): {kit.Server.BaseUri}{PullTestKit.Repo}/resolve/main/missing.gguf", e.Message);
        var o = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync("nosuchmodel:7b"));
        Assert.Equal($"the ollama registry at 127.0.0.1:{kit.Server.Port} has no model 'nosuchmodel:7b' (404)", o.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task Https_to_a_server_that_does_not_speak_TLS_names_the_host()
    {
        using var kit = new PullTestKit();
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"https://127.0.0.1:{kit.Server.Port}/cdn/{PullTestKit.File}"));
        Assert.StartsWith("TLS connection to 127.0.0.1 failed", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public async Task Connection_refused_names_the_host()
    {
        using var kit = new PullTestKit();
        using var socket = FakeModelServer.ClosedPort();
        int closed = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync($"http://127.0.0.1:{closed}/m.gguf"));
        Assert.StartsWith($"cannot connect to 127.0.0.1:{closed}", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_GGUF_never_enters_the_store()
    {
        using var kit = new PullTestKit();
        kit.Server.AddFile("page.gguf", "<html>Sign in to continue</html>"u8.ToArray());
        var e = await Assert.ThrowsAsync<PullException>(() => kit.PullAsync(kit.Server.CdnUrl("page.gguf").AbsoluteUri));
        Assert.Contains("is not a usable GGUF file", e.Message);
        Assert.Empty(kit.StoreFiles());
    }

    [Fact]
    public async Task A_model_already_in_the_store_is_not_downloaded_again()
    {
        using var kit = new PullTestKit();
        await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");
        int requests = kit.Server.Requests.Count;
        var again = await kit.PullAsync($"hf:{PullTestKit.Repo}/{PullTestKit.File}");
        Assert.True(again.AlreadyPresent);
        Assert.Equal(requests, kit.Server.Requests.Count);
    }
}

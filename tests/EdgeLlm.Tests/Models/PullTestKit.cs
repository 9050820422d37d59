using EdgeLlm.Models;

namespace EdgeLlm.Tests.Models;

/// <summary>A temporary store, a fake server holding the stories260K fixture, and fast pull options.</summary>
internal sealed class PullTestKit : IDisposable
{
    public const string Repo = "karpathy/tinyllamas-GGUF";
    public const string File = "stories260K.gguf";

    public PullTestKit()
    {
        Directory.CreateDirectory(Root);
        Model = System.IO.File.ReadAllBytes(Fixtures.Model(File));
        Server.AddFile(File, Model);
        Server.AddFile("library/tinystories:260k", Model);
        Store = new ModelStore(Path.Combine(Root, "models"));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "edgellm-pull-" + Guid.NewGuid().ToString("N"));
    public FakeModelServer Server { get; } = new();
    public byte[] Model { get; }
    public string Sha256 => FakeModelServer.Sha256Hex(Model);
    public ModelStore Store { get; }
    public List<PullProgress> Progress { get; } = [];
    public FakeDisk Disk { get; } = new(available: 64L << 30, total: 128L << 30);

    public ModelEndpoints Endpoints => new(Server.BaseUri, Server.BaseUri);

    public PullOptions Options(TimeSpan? stall = null, int attempts = 4) => new()
    {
        Http = PullHttp.CreateClient(useProxy: false),
        Endpoints = Endpoints,
        Disk = Disk,
        MaxAttempts = attempts,
        RetryDelay = TimeSpan.Zero,
        StallTimeout = stall ?? TimeSpan.FromSeconds(5),
        ProgressInterval = TimeSpan.Zero,
    };

    public Task<PullResult> PullAsync(string source, string? sha256 = null, PullOptions? options = null, CancellationToken ct = default) =>
        new ModelPuller(Store, options ?? Options()).PullAsync(ModelSourceParser.Parse(source, Endpoints), sha256, null, false,
            p => { lock (Progress) Progress.Add(p); }, ct);

    /// <summary>Every file in the store's directory (models, partial files, records).</summary>
    public string[] StoreFiles() => Directory.Exists(Store.Directory) ? Directory.GetFiles(Store.Directory).Select(f => Path.GetFileName(f)).ToArray() : [];

    public void Dispose()
    {
        Server.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A filesystem of a chosen size and free space (a full disk without mounting one).</summary>
internal sealed class FakeDisk(long available, long total) : IDiskSpace
{
    public long Available { get; set; } = available;
    public (long Available, long Total) Query(string directory) => (Available, total);
}

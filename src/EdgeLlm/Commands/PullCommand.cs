using System.Globalization;
using EdgeLlm.Models;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm pull SOURCE [--sha256 HEX] [--name NAME] [--force] [--models-dir D]</c> and <c>edgellm pull --list</c>:
/// downloads a model into the store (resumable, verified), then says what it is and whether this engine runs it.
/// </summary>
internal static class PullCommand
{
    private const string UsageText = "usage: edgellm pull SOURCE [--sha256 HEX] [--name NAME] [--force] [--models-dir D] | edgellm pull --list";

    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "list", "force" });
        bool list = a.Flag("list");
        string? sha256 = a.Get("sha256");
        string? name = a.Get("name");
        bool force = a.Flag("force");
        var store = ModelStore.Open(a.Get("models-dir"));
        var positionals = a.Positionals;
        a.RejectUnknown();
        if (list)
        {
            if (positionals.Count != 0) throw new CliException(UsageText);
            CuratedTable.Print(Console.Out);
            return 0;
        }
        if (positionals.Count != 1) throw new CliException(UsageText);

        ModelSource source;
        ModelEndpoints endpoints;
        try
        {
            endpoints = ModelEndpoints.FromEnvironment();
            source = ModelSourceParser.Parse(positionals[0], endpoints);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }

        Console.WriteLine($"pulling {source.Text} into {store.Directory}");
        var printer = new PullProgressPrinter(Console.Out, terminal: !Console.IsOutputRedirected);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
            e.Cancel = true; // the first stops the download cleanly, keeping the partial file for a resume
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        PullResult result;
        try
        {
            var puller = new ModelPuller(store, new PullOptions { Endpoints = endpoints });
            result = puller.PullAsync(source, sha256, name, force, printer.Report, cancel.Token).GetAwaiter().GetResult();
        }
        catch (PullException e)
        {
            printer.EndLine();
            throw new CliException(e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        printer.EndLine();
        PrintResult(result);
        WarnIfNoRoomForWeightCache(result);
        return 0;
    }

    /// <summary>
    /// The interleaved weight cache (about the model's size) is written at the model's first start; saying now that it
    /// will not fit beats a slower model and a log line later. Only a note: the model runs without the cache.
    /// </summary>
    private static void WarnIfNoRoomForWeightCache(PullResult r)
    {
        if (r.AlreadyPresent || !r.Runs || Config.WeightCacheLocation.Resolve(null) is not { } directory) return;
        try
        {
            string existing = Path.GetFullPath(directory);
            while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
            var (available, total) = DriveDiskSpace.Instance.Query(existing);
            if (available < r.Size + Core.Model.DiskReserve.KeepFreeBytes(total))
                Console.WriteLine($"note:          the interleaved weight cache (about {r.Size / 1e9:F2} GB in {directory}, written at the first start) " +
                                  $"will not fit ({available / 1e9:F2} GB free); the model then runs without it, slower (weight_cache: off or another directory)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // no figures, no note
        }
    }

    private static void PrintResult(PullResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        if (r.AlreadyPresent) Console.WriteLine($"already in the store (--force downloads it again)");
        Console.WriteLine($"name:          {r.Name}");
        Console.WriteLine($"file:          {r.Path}");
        Console.WriteLine($"size:          {r.Size.ToString("N0", inv)} bytes ({r.Size / 1e9:F2} GB)");
        Console.WriteLine($"architecture:  {r.Summary.Architecture}");
        Console.WriteLine($"quant type:    {r.Summary.FileType}");
        if (!r.AlreadyPresent)
            Console.WriteLine(r.VerifiedAgainst is null
                ? $"sha256:        {r.Sha256} (not verified: no checksum was known; pass --sha256 to check one)"
                : $"sha256:        {r.Sha256} (verified against {r.VerifiedAgainst})");
        Console.WriteLine($"runs here:     {r.RunsHere}");
        if (r.Runs) Console.WriteLine($"try:           edgellm run --model {r.Name} --prompt \"Hello\"   (or \"model\": \"{r.Name}\" in the config)");
    }
}

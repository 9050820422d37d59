using System.Diagnostics;

namespace EdgeLlm.Tests.Deploy;

/// <summary>
/// deploy/install.sh from a flat bundle (the script and its five files, no repository) into a scratch root, with
/// useradd/usermod/systemctl recorded instead of run and install(1) without its owner changes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // bash for Linux, as the script
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgellm-install-").FullName;
    private string Bundle => Path.Combine(_dir, "bundle");
    private string Root => Path.Combine(_dir, "root");
    private string Calls => Path.Combine(_dir, "calls.log");

    public InstallScriptTests()
    {
        Directory.CreateDirectory(Bundle);
        Directory.CreateDirectory(Root);
        string repo = Fixtures.RepoRoot;
        File.Copy(Path.Combine(repo, "deploy", "install.sh"), Path.Combine(Bundle, "install.sh"));
        File.Copy(Path.Combine(repo, "deploy", "edgellm.json"), Path.Combine(Bundle, "edgellm.json"));
        File.Copy(Path.Combine(repo, "systemd", "edgellm.service"), Path.Combine(Bundle, "edgellm.service"));
        File.Copy(Path.Combine(repo, "systemd", "edgellm.socket"), Path.Combine(Bundle, "edgellm.socket"));
        File.Copy(Path.Combine(repo, "README.md"), Path.Combine(Bundle, "README.md"));
        File.WriteAllText(Path.Combine(Bundle, "edgellm"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(Bundle, "edgellm"), (UnixFileMode)Convert.ToInt32("755", 8));

        string stubs = Path.Combine(_dir, "stubs");
        Directory.CreateDirectory(stubs);
        foreach (string tool in new[] { "useradd", "usermod", "systemctl" })
            Stub(stubs, tool, $"echo \"{tool} $*\" >> '{Calls}'");
        Stub(stubs, "id", "exit 0");
        // install(1) without -o/-g: the scratch root has no edgellm user.
        Stub(stubs, "install", "args=(); while [ $# -gt 0 ]; do case \"$1\" in -o|-g) shift 2;; *) args+=(\"$1\"); shift;; esac; done; exec /usr/bin/install \"${args[@]}\"");
        StubsPath = stubs;
    }

    private string StubsPath { get; }

    private static void Stub(string dir, string name, string body)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, $"#!/usr/bin/env bash\n{body}\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    private (int Exit, string Output) Install(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Bundle, "install.sh"));
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["EDGELLM_INSTALL_ROOT"] = Root;
        start.Environment["PATH"] = StubsPath + ":" + Environment.GetEnvironmentVariable("PATH");
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [Fact]
    public void Installs_from_a_flat_bundle_with_a_model_whose_name_sed_would_break_on()
    {
        string model = Path.Combine(_dir, "tiny|b&c \"q\".gguf");
        File.WriteAllText(model, "GGUF");
        var (exit, output) = Install("--user", "alice", model);
        Assert.True(exit == 0, output);

        string config = File.ReadAllText(Path.Combine(Root, "etc", "edgellm", "edgellm.json"));
        Assert.Contains("\"model\": \"/var/lib/edgellm/models/tiny|b&c \\\"q\\\".gguf\"", config);
        Assert.True(File.Exists(Path.Combine(Root, "var", "lib", "edgellm", "models", "tiny|b&c \"q\".gguf")));
        Assert.True(File.Exists(Path.Combine(Root, "usr", "share", "doc", "edgellm", "README.md")));
        Assert.True(File.Exists(Path.Combine(Root, "usr", "local", "bin", "edgellm")));
        string calls = File.ReadAllText(Calls);
        Assert.Contains("usermod -aG edgellm alice", calls);
        Assert.Contains("systemctl enable --now edgellm.service", calls);
    }

    [Fact]
    public void Without_a_model_it_installs_everything_and_says_how_to_get_one()
    {
        var (exit, output) = Install();
        Assert.True(exit == 0, output);
        Assert.Contains("no model is configured yet", output);
        Assert.True(File.Exists(Path.Combine(Root, "etc", "systemd", "system", "edgellm.service")));
        string calls = File.ReadAllText(Calls);
        Assert.Contains("systemctl enable edgellm.service", calls);
        Assert.DoesNotContain("--now", calls);
    }

    [Fact]
    public void Pull_downloads_the_model_as_the_service_user_names_it_in_the_config_and_starts_the_service()
    {
        // The binary stands in for edgellm pull: it writes the model into the store it was given and prints its name.
        File.WriteAllText(Path.Combine(Bundle, "edgellm"),
            "#!/bin/sh\n[ \"$1 $3\" = 'pull --models-dir' ] || exit 9\necho GGUF > \"$4/llama3.2-1b.gguf\"\nprintf 'success\\nname:          llama3.2-1b\\n'\n");
        Stub(StubsPath, "runuser", $"echo \"runuser $1 $2\" >> '{Calls}'; shift 3; exec \"$@\"");
        var (exit, output) = Install("--pull", "llama3.2-1b");
        Assert.True(exit == 0, output);

        string config = File.ReadAllText(Path.Combine(Root, "etc", "edgellm", "edgellm.json"));
        Assert.Contains("\"model\": \"llama3.2-1b\"", config);
        Assert.True(File.Exists(Path.Combine(Root, "var", "lib", "edgellm", "models", "llama3.2-1b.gguf")));
        string calls = File.ReadAllText(Calls);
        Assert.Contains("runuser -u edgellm", calls);
        Assert.Contains("systemctl enable --now edgellm.service", calls);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

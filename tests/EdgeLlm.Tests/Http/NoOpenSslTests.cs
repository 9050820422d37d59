namespace EdgeLlm.Tests.Http;

/// <summary>
/// The HTTP transport must not touch .NET's cryptography: on Linux it loads OpenSSL, and a Pi image without libssl
/// aborts the whole daemon at the first use (seen under qemu with SHA-256 and the crypto random generator).
/// </summary>
public sealed class NoOpenSslTests
{
    [Fact]
    public void The_http_sources_use_no_System_Security_Cryptography()
    {
        string folder = Path.Combine(Fixtures.RepoRoot, "src", "EdgeLlm", "Http");
        var offenders = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("System.Security.Cryptography", StringComparison.Ordinal))
            .Select(Path.GetFileName);
        Assert.Empty(offenders);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>
/// A real mosquitto broker for tests: its own config in a temp folder, bound to 127.0.0.1 on a free port,
/// optionally with a password file and TLS (a CA and server certificate made at test time).
/// Can be killed and restarted on the same port to test reconnects.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgellm-mosquitto").FullName;
    private Process? _process;

    public MosquittoBroker(string? username = null, string? password = null, bool tls = false)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"mosquitto not found at {Executable}: install the 'mosquitto' and 'mosquitto-clients' packages (.ci/run does)");
        Port = FreePort();
        Username = username;
        Password = password;
        var config = new List<string>
        {
            $"listener {Port} 127.0.0.1",
            "persistence false",
            $"log_dest file {Path.Combine(_dir, "mosquitto.log")}",
            "log_type error",
            "log_type warning",
            "max_packet_size 4194304",
        };
        // Started as root, mosquitto switches to the 'mosquitto' user, which cannot read this private temp folder.
        if (Environment.UserName == "root") config.Add("user root");
        if (username is not null)
        {
            string passwords = Path.Combine(_dir, "passwords");
            Run("/usr/bin/mosquitto_passwd", "-b", "-c", passwords, username, password ?? "");
            config.Add("allow_anonymous false");
            config.Add($"password_file {passwords}");
        }
        else
        {
            config.Add("allow_anonymous true");
        }
        if (tls)
        {
            (CaCertificatePath, string certPath, string keyPath) = MakeCertificates();
            config.Add($"cafile {CaCertificatePath}");
            config.Add($"certfile {certPath}");
            config.Add($"keyfile {keyPath}");
        }
        File.WriteAllLines(Path.Combine(_dir, "mosquitto.conf"), config);
        Start();
    }

    public const string Executable = "/usr/sbin/mosquitto";

    public int Port { get; }
    public string Host => "127.0.0.1";
    public string? Username { get; }
    public string? Password { get; }

    /// <summary>PEM file of the test CA that signed the broker's certificate (TLS brokers only).</summary>
    public string? CaCertificatePath { get; private set; }

    public string LogText => File.Exists(Path.Combine(_dir, "mosquitto.log")) ? File.ReadAllText(Path.Combine(_dir, "mosquitto.log")) : "";

    public void Start()
    {
        _process = Process.Start(new ProcessStartInfo(Executable, ["-c", Path.Combine(_dir, "mosquitto.conf")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()} {LogText}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"mosquitto did not listen on port {Port} within 10 s");
    }

    /// <summary>Kills the broker abruptly (no clean disconnects), as a crash or power cut would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs one of mosquitto's stock clients (mosquitto_pub, mosquitto_sub, mosquitto_rr) against this broker.</summary>
    public (int Exit, string Out, string Err) Client(string tool, TimeSpan timeout, params string[] args) =>
        RunClient(tool, timeout, withCredentials: true, args);

    /// <summary>Like <see cref="Client"/> but without the username and password.</summary>
    public (int Exit, string Out, string Err) AnonymousClient(string tool, TimeSpan timeout, params string[] args) =>
        RunClient(tool, timeout, withCredentials: false, args);

    private (int Exit, string Out, string Err) RunClient(string tool, TimeSpan timeout, bool withCredentials, string[] args)
    {
        var all = new List<string> { "-h", Host, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (withCredentials && Username is not null) all.AddRange(["-u", Username, "-P", Password ?? ""]);
        if (CaCertificatePath is not null) all.AddRange(["--cafile", CaCertificatePath]);
        all.AddRange(args);
        using var p = Process.Start(new ProcessStartInfo($"/usr/bin/{tool}", all) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill();
            p.WaitForExit();
        }
        return (p.HasExited ? p.ExitCode : -1, stdout.Result, stderr.Result);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {p.StandardError.ReadToEnd()}");
    }

    /// <summary>A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it, as PEM files.</summary>
    private (string Ca, string Cert, string Key) MakeCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=EdgeLlm Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, ca.NotBefore, ca.NotAfter.AddDays(-1), RandomNumberGenerator.GetBytes(8));

        string caPath = Path.Combine(_dir, "ca.crt"), certPath = Path.Combine(_dir, "server.crt"), keyPath = Path.Combine(_dir, "server.key");
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        File.WriteAllText(certPath, server.ExportCertificatePem());
        File.WriteAllText(keyPath, serverKey.ExportRSAPrivateKeyPem());
        return (caPath, certPath, keyPath);
    }
}

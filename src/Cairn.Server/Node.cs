using System.Collections;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Cairn.Common.Config;
using Cairn.Common.Logging;
using Cairn.Common.Net;
using Cairn.Common.Platform;
using Cairn.Http;
using Cairn.Meta;
using Cairn.Meta.Client;
using Cairn.Meta.Licensing;
using Cairn.Meta.Raft;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog;

namespace Cairn.Server;

/// <summary>
/// One running process: binds the listeners of its role, prints the READY line, serves until
/// SIGTERM/SIGINT, reloads licence and log level on SIGHUP.
/// </summary>
internal sealed class Node(NodeRole role, LoadedConfig loaded, IDictionary environment, LicenseState license)
{
    private const string ApiItem = "cairn.api";
    private static readonly NLog.Logger Log = LogManager.GetLogger("node");
    private static readonly NLog.Logger RequestLog = LogManager.GetLogger("http");
    private static readonly TimeSpan HttpDrainTimeout = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan TcpDrainTimeout = TimeSpan.FromSeconds(2);

    private readonly CairnConfig _config = loaded.Config;
    private readonly IReadOnlyList<int> _startCpus = CpuAffinity.GetAllowed();
    private volatile IReadOnlyList<int> _coresInUse = CpuAffinity.GetAllowed();
    private DataServices? _data;
    private volatile MetaService? _meta;

    /// <summary>A meta-only node runs the replicated meta service; a `both` node keeps its single-node store for now.</summary>
    private bool RunsMetaService => role == NodeRole.Meta;

    private bool HasData => (role & NodeRole.Data) != 0;
    private bool HasMeta => (role & NodeRole.Meta) != 0;

    public async Task<int> RunAsync()
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; _ = Task.Run(Reload); });

        // TLS files and versions are checked before anything opens or listens.
        TlsServerSettings? rpcTls;
        RpcClientTls? metaToDataTls;
        try
        {
            rpcTls = HasData ? TlsSettings.ForRpcServer(_config) : null;
            if (HasData) TlsSettings.ForDataClient(_config);
            metaToDataTls = HasMeta ? TlsSettings.ForMetaClient(_config) : null;
        }
        catch (TlsConfigurationException e)
        {
            Log.Error("config error: {0}", e.Message);
            Log.Error("configuration is invalid; nothing was started");
            return 1;
        }
        if (rpcTls is not null)
        {
            var certificate = rpcTls.Certificate;
            Log.Info("RPC port serves TLS with certificate {0} (expires {1:u})", certificate.Subject, certificate.NotAfter.ToUniversalTime());
            // Peers that verify will refuse it; the node still starts, so an operator can swap the file and restart.
            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow || certificate.NotBefore.ToUniversalTime() > DateTime.UtcNow)
                Log.Warn("[cluster] https-certificate \"{0}\" is not valid now (valid {1:u} to {2:u}): peers that verify certificates will refuse it",
                    _config.Cluster.HttpsCertificate, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        }

        if (HasData) _coresInUse = ApplyCoreCap(license.License);

        using var monitorStop = new CancellationTokenSource();
        var monitor = new LicenseMonitor(license, TimeProvider.System).RunAsync(monitorStop.Token);

        DataServices? data = null;
        if (HasData)
        {
            try
            {
                data = await DataServices.OpenAsync(_config, clustered: !HasMeta);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Cairn.Meta.Store.MetaLogFaultedException)
            {
                Log.Error("cannot open the data node's stores: {0}", e.Message);
                monitorStop.Cancel();
                await monitor;
                return 1;
            }
        }
        _data = data;

        var listeners = new List<(string Key, TcpServiceListener Listener, bool AllInterfaces)>();
        WebApplication? web = null;
        var httpListeners = new List<(string Key, ListenOptions Options, bool AllInterfaces)>();
        try
        {
            web = BuildWebApplication(httpListeners);
            if (HasData) listeners.Add(BindTcp("rpc", "bind-address", _config.BindAddress, rpcTls));
            if (HasMeta) listeners.Add(BindTcp("raft", "[meta] bind-address", _config.Meta.BindAddress));
            if (web is not null) await web.StartAsync();
            string Advertised(string key) =>
                httpListeners.Where(l => l.Key == key).Select(l => BindAddress.Format(l.Options.IPEndPoint!, l.AllInterfaces, _config.Hostname)).FirstOrDefault()
                ?? listeners.Where(l => l.Key == key).Select(l => BindAddress.Format(l.Listener.LocalEndPoint, l.AllInterfaces, _config.Hostname)).First();
            if (RunsMetaService)
            {
                var raft = listeners.First(l => l.Key == "raft").Listener;
                _meta = StartMetaService(raft, Advertised("raft"), Advertised("meta-http"), metaToDataTls);
            }
            else if (HasMeta && data?.Meta is Cairn.Meta.Store.LocalMetaStore local)
            {
                // A `both` node: the meta API over its own store, so cairn ctl works against a single server too.
                var single = new SingleServerMeta(local, Advertised("raft"), Advertised("meta-http"),
                    httpListeners.Any(l => l.Key == "http") ? Advertised("http") : "", Advertised("rpc"));
                _meta = new MetaService(single, license,
                    new MetaControl.Client(_config.Meta.InternalSharedSecret, _config.Cluster.DialTimeout, metaToDataTls), MetaOptions());
            }
            if (data is not null)
                data.ClusterContext.Service.RegisterOn(listeners.First(l => l.Key == "rpc").Listener, _config.Meta.MetaInternalSharedSecret);
            if (data?.Cluster is { } cluster)
            {
                var rpc = listeners.First(l => l.Key == "rpc").Listener;
                string httpAddr = httpListeners.Any(l => l.Key == "http") ? Advertised("http") : "";
                new Cairn.Common.Net.Rpc.RpcService("meta-control", MetaControl.Handler(cluster, () => httpAddr),
                    new Cairn.Common.Net.Rpc.RpcServiceOptions { InternalSharedSecret = _config.Meta.MetaInternalSharedSecret })
                    .RegisterOn(rpc, Cairn.Common.Net.Rpc.RpcServiceBytes.MetaControl);
                string tcpAddr = Advertised("rpc");
                if (cluster.IsJoined) _ = AnnounceAsync(cluster, tcpAddr, httpAddr);
            }
            foreach (var (_, listener, _) in listeners) listener.Start();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            Log.Error("cannot start listeners: {0}", e.Message);
            await StopAsync(web, listeners.Select(l => l.Listener));
            if (data is not null) await data.DisposeAsync();
            return 1;
        }

        data?.StartBackground(_config);
        Console.Out.WriteLine(ReadyLine(httpListeners, listeners));
        Console.Out.Flush();
        Log.Info("serving as {0}", role.ToName());

        await stop.Task;
        Log.Info("signal received, shutting down");
        monitorStop.Cancel();
        await StopAsync(web, listeners.Select(l => l.Listener));
        if (_meta is not null) await _meta.DisposeAsync();
        if (data is not null) await data.DisposeAsync();
        await monitor;
        Log.Info("stopped");
        return 0;
    }

    /// <summary>Opens the Raft log in [meta] dir and serves Raft on the raft listener.</summary>
    private MetaService StartMetaService(TcpServiceListener raftListener, string raftAddr, string httpAddr, RpcClientTls? dataTls)
    {
        var meta = _config.Meta;
        var options = new RaftOptions
        {
            ElectionTimeout = meta.ElectionTimeout,
            HeartbeatTimeout = meta.HeartbeatTimeout,
            LeaderLeaseTimeout = meta.LeaderLeaseTimeout,
            ConsensusTimeout = meta.ConsensusTimeout,
        };
        var transport = new TcpRaftTransport(meta.InternalSharedSecret);
        var node = new RaftNode(raftAddr, httpAddr, options, RaftStorage.Open(meta.Dir), transport);
        raftListener.Register(TcpRaftTransport.ServiceByte, (connection, ct) => TcpRaftTransport.ServeAsync(connection.Socket, meta.InternalSharedSecret, node.HandleAsync, ct));
        node.Start();
        Log.Info("meta node {0} (raft {1}) started; {2}", httpAddr, raftAddr, node.IsJoined ? $"{node.Members.Count} members" : "not in a cluster yet");
        return new MetaService(node, license, new MetaControl.Client(meta.InternalSharedSecret, _config.Cluster.DialTimeout, dataTls), MetaOptions());
    }

    private MetaServiceOptions MetaOptions() => new()
    {
        AuthEnabled = _config.Meta.AuthEnabled,
        SharedSecret = _config.Meta.SharedSecret,
        InternalSharedSecret = _config.Meta.InternalSharedSecret,
        ClusterTracing = _config.Meta.ClusterTracing,
        LeaseDuration = _config.Meta.LeaseDuration,
    };

    /// <summary>A restarted data node tells the meta leader where it serves now, retrying until a leader answers.</summary>
    private static async Task AnnounceAsync(RemoteMetaStore cluster, string tcpAddr, string httpAddr)
    {
        for (int attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                await cluster.AnnounceAsync(tcpAddr, httpAddr, CancellationToken.None);
                return;
            }
            catch (MetaUnavailableException e)
            {
                if (attempt == 0) Log.Warn("cannot announce to the meta nodes yet: {0}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>READY role=… http=… rpc=… meta-http=… raft=…, keys in that order, only for bound listeners.</summary>
    private string ReadyLine(List<(string Key, ListenOptions Options, bool AllInterfaces)> http, List<(string Key, TcpServiceListener Listener, bool AllInterfaces)> tcp)
    {
        var endpoints = new Dictionary<string, string>();
        foreach (var (key, options, all) in http) endpoints[key] = BindAddress.Format(options.IPEndPoint!, all, _config.Hostname);
        foreach (var (key, listener, all) in tcp) endpoints[key] = BindAddress.Format(listener.LocalEndPoint, all, _config.Hostname);
        var line = new StringBuilder("READY role=").Append(role.ToName());
        foreach (var key in new[] { "http", "rpc", "meta-http", "raft" })
            if (endpoints.TryGetValue(key, out var value)) line.Append(' ').Append(key).Append('=').Append(value);
        return line.ToString();
    }

    private (string, TcpServiceListener, bool) BindTcp(string key, string setting, string address, TlsServerSettings? tls = null)
    {
        var parsed = BindAddress.Parse(address);
        try
        {
            return (key, TcpServiceListener.Bind(parsed.ResolveHost(), parsed.Port, key, tls), parsed.IsAllInterfaces);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"{setting} {address}: {e.Message}", e);
        }
    }

    private WebApplication? BuildWebApplication(List<(string Key, ListenOptions Options, bool AllInterfaces)> bound)
    {
        var apis = new List<(string Key, string Setting, string Address, RequestDelegate Handler)>();
        if (HasData && _config.Http.Enabled)
        {
            var services = _data!;
            var api = new DataHttpApi(license, () => _coresInUse, new DataHttpOptions { MaxBodySize = _config.Http.MaxBodySize },
                services.Meta, services.Writer, services.Query, services.Store, services.Authentication, services.Statistics.Write);
            apis.Add(("http", "[http] bind-address", _config.Http.BindAddress, api.HandleAsync));
        }
        if (HasMeta)
        {
            var meta = new MetaHttpApi(() => _meta, license);
            apis.Add(("meta-http", "[meta] http-bind-address", _config.Meta.HttpBindAddress, meta.HandleAsync));
        }
        if (apis.Count == 0) return null;

        // Cairn has no appsettings files: no reload watcher on the content root (from /usr/bin it
        // would watch the whole directory), which saves a thread and startup time.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new NLogLoggerProvider());
        builder.Logging.AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, SignalOwnedLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = HttpDrainTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var (key, setting, address, handler) in apis)
            {
                var parsed = BindAddress.Parse(address);
                void Configure(ListenOptions options)
                {
                    bound.Add((key, options, parsed.IsAllInterfaces));
                    options.Use(next => connection =>
                    {
                        connection.Items[ApiItem] = handler;
                        return next(connection);
                    });
                }
                var host = parsed.ResolveHost();
                if (host is null) kestrel.ListenAnyIP(parsed.Port, Configure);
                else kestrel.Listen(host, parsed.Port, Configure);
            }
        });
        var app = builder.Build();
        app.Run(ServeAsync);
        return app;
    }

    private static async Task ServeAsync(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items?[ApiItem] is not RequestDelegate handler)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        await handler(context);
        if (RequestLog.IsDebugEnabled)
            RequestLog.Debug("request method={0} path={1} status={2} remote={3}",
                context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, context.Connection.RemoteIpAddress);
    }

    private static async Task StopAsync(WebApplication? web, IEnumerable<TcpServiceListener> listeners)
    {
        var tasks = new List<Task>();
        if (web is not null)
        {
            using var timeout = new CancellationTokenSource(HttpDrainTimeout);
            tasks.Add(StopWebAsync(web, timeout.Token));
        }
        foreach (var listener in listeners) tasks.Add(listener.StopAsync(TcpDrainTimeout));
        await Task.WhenAll(tasks);
    }

    private static async Task StopWebAsync(WebApplication web, CancellationToken token)
    {
        try { await web.StopAsync(token); }
        catch (OperationCanceledException) { Log.Warn("HTTP requests still running after {0}; closing them", HttpDrainTimeout); }
        await web.DisposeAsync();
    }

    /// <summary>Pins the process to the first max-cores CPUs it was allowed at start (0 = no cap).</summary>
    private IReadOnlyList<int> ApplyCoreCap(License licence)
    {
        var target = licence.MaxCores > 0 && licence.MaxCores < _startCpus.Count ? _startCpus.Take(licence.MaxCores).ToArray() : _startCpus;
        var current = CpuAffinity.GetAllowed();
        if (!current.SequenceEqual(target) && !CpuAffinity.SetForProcess(target, out var error))
        {
            Log.Warn("cannot pin the process to cores {0}: {1}", CpuAffinity.FormatList(target), error);
            return current;
        }
        if (target.Count < _startCpus.Count)
            Log.Info("licence allows {0} cores: pinned to cores {1} of {2}", licence.MaxCores, CpuAffinity.FormatList(target), CpuAffinity.FormatList(_startCpus));
        else
            Log.Info("using cores {0}", CpuAffinity.FormatList(target));
        return target;
    }

    /// <summary>SIGHUP: re-read the configuration for the licence and the log level/format.</summary>
    private void Reload()
    {
        try
        {
            Log.Info("SIGHUP: reloading licence and log level");
            var fresh = ConfigLoader.Load(loaded.FilePath, environment);
            if (fresh.Diagnostics.Errors.Count > 0)
            {
                foreach (var e in fresh.Diagnostics.Errors) Log.Error("config error: {0}", e);
                Log.Warn("configuration has errors; keeping the running licence and log level");
                return;
            }
            LogSetup.Reconfigure(fresh.Config.Logging.Format, fresh.Config.Logging.Level);
            Log.Info("log level is {0}, format {1}", fresh.Config.Logging.Level, fresh.Config.Logging.Format);
            var result = LicenseLoader.Load(fresh.Config.Enterprise, fresh.IsZeroConfig);
            if (!result.Ok)
            {
                Log.Error("{0}; keeping the running licence", result.Error);
                return;
            }
            // Pin first, then publish: whoever sees the new licence sees its core cap applied.
            if (HasData) _coresInUse = ApplyCoreCap(result.License!);
            license.Replace(result.License!, result.Source);
            Log.Info("licence reloaded: {0} ({1}), expires {2}, max cores {3}", result.License!.Describe(), result.Source.ToName(),
                LicenseCodec.FormatTime(result.License.Expires), result.License.MaxCores);
        }
        catch (Exception e)
        {
            Log.Error(e, "reload failed");
        }
    }

    /// <summary>The host must not install its own signal handlers: this class owns SIGTERM/SIGINT.</summary>
    private sealed class SignalOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

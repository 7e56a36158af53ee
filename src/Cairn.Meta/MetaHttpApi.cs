using Cairn.Common.Web;
using Cairn.Meta.Licensing;
using Microsoft.AspNetCore.Http;

namespace Cairn.Meta;

/// <summary>
/// The meta node's HTTP API (port 8091). For now /ping and /debug/vars; the meta issue adds the
/// cluster endpoints (/status, /show-cluster, /add-data, …).
/// </summary>
public sealed class MetaHttpApi(LicenseState license)
{
    public Task HandleAsync(HttpContext context)
    {
        InfluxResponses.AddStandardHeaders(context.Response);
        return context.Request.Path.Value switch
        {
            "/ping" => InfluxResponses.PingAsync(context),
            "/debug/vars" => DebugVarsAsync(context),
            _ => InfluxResponses.NotFoundAsync(context),
        };
    }

    private Task DebugVarsAsync(HttpContext context) =>
        InfluxResponses.DebugVarsAsync(context, json => license.WriteEntitlements(json, Cairn.Common.Platform.CpuAffinity.GetAllowed()));
}

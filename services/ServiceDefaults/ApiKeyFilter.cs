using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Guards control endpoints with <c>X-Api-Key</c> when API_KEY is set; compared in constant time.
/// Reads stay open so the viewer and HLS players need no secret.
/// </summary>
/// <remarks>
/// Minimal APIs bind parameters (a JSON body included) before endpoint filters run, so a guarded handler must not
/// take its body as a parameter: it takes <see cref="HttpContext"/> and reads the body itself, after this check,
/// and a caller without the key gets 401 with its body never parsed.
/// </remarks>
public sealed class ApiKeyFilter(string? apiKey) : IEndpointFilter
{
    public const string Header = "X-Api-Key";
    private readonly byte[]? _expected = string.IsNullOrEmpty(apiKey) ? null : Encoding.UTF8.GetBytes(apiKey);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null) return next(context);
        var given = context.HttpContext.Request.Headers[Header].ToString();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected)) return next(context);
        return ValueTask.FromResult<object?>(Problems.Unauthorized($"This call needs the {Header} header with the server's API key."));
    }
}

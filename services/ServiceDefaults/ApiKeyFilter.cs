using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Guards control endpoints with <c>X-Api-Key</c> when API_KEY is set; compared in constant time.
/// Reads stay open so the viewer and HLS players need no secret.
/// </summary>
public sealed class ApiKeyFilter(string? apiKey) : IEndpointFilter
{
    public const string Header = "X-Api-Key";
    private readonly byte[]? _expected = string.IsNullOrEmpty(apiKey) ? null : Encoding.UTF8.GetBytes(apiKey);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null) return next(context);
        var given = context.HttpContext.Request.Headers[Header].ToString();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected)) return next(context);
        return ValueTask.FromResult<object?>(Results.Problem(
            title: "Unauthorized", detail: $"This call needs the {Header} header with the server's API key.",
            statusCode: StatusCodes.Status401Unauthorized));
    }
}

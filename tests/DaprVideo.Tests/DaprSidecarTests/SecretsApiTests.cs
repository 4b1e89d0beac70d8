using System.Net;
using System.Text.Json;
using Dapr.Client;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;
using DaprVideo.DaprAdapters;
using DaprVideo.Tests.DaprSidecar;
using DaprVideo.Tests.DaprSidecar.Runtime;
using DaprVideo.Tests.DaprSidecarTests.Runtime;

namespace DaprVideo.Tests.DaprSidecarTests;

/// <summary>
/// The stand-in's secrets API against daprd's (dapr/dapr pkg/api/http/secrets.go, pkg/api/universal/secrets.go,
/// pkg/messages/predefined.go; contrib secretstores/local/file): answers, error codes and messages, scopes, the API token;
/// and our adapter (<see cref="DaprSecretStore"/>) reading it over gRPC as Ingest does.
/// </summary>
public sealed class SecretsApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SidecarResources Load(string config = "")
    {
        var res = Directory.CreateDirectory(_temp.File("res")).FullName;
        File.WriteAllText(_temp.File("secrets.json"),
            """{"cam1": {"username": "viewer", "password": "pw-1"}, "s3-secret-key": "S3KEY", "redis-password": ""}""");
        File.WriteAllText(Path.Combine(res, "secretstore.yaml"), """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: secretstore
            spec:
              type: secretstores.local.file
              version: v1
              metadata:
                - name: secretsFile
                  value: ./secrets.json
                - name: multiValued
                  value: "true"
            """);
        string? configFile = null;
        if (config.Length > 0)
        {
            configFile = _temp.File("config.yaml");
            File.WriteAllText(configFile, config);
        }
        return SidecarResources.Load("ingest", [res], _temp.Path, configFilePath: configFile, daprdEnvironment: new Dictionary<string, string>());
    }

    private const string DenyInfra = """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: c
        spec:
          secrets:
            scopes:
              - storeName: secretstore
                defaultAccess: allow
                deniedSecrets: ["s3-secret-key"]
        """;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(DaprSidecarStandIn sidecar, string path, string? token = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : JsonDocument.Parse(JsonSerializer.Serialize(text)).RootElement.Clone());
    }

    [Fact]
    public async Task A_multi_valued_secret_answers_its_keys_and_a_single_valued_one_its_name()
    {
        var resources = Load();
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { Secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes) });

        var (status, body) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/cam1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"username":"viewer","password":"pw-1"}""", JsonSerializer.Serialize(body));
        (status, body) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/s3-secret-key");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("S3KEY", body.GetProperty("s3-secret-key").GetString());
        (status, body) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/bulk");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pw-1", body.GetProperty("cam1").GetProperty("password").GetString());
    }

    [Theory]
    [InlineData("/v1.0/secrets/secretstore/nope", HttpStatusCode.InternalServerError, "ERR_SECRET_GET",
        "failed getting secret with key nope from secret store secretstore: secret nope not found")]
    [InlineData("/v1.0/secrets/vault/cam1", HttpStatusCode.Unauthorized, "ERR_SECRET_STORE_NOT_FOUND", "failed finding secret store with key vault")]
    [InlineData("/v1.0/secrets/secretstore/s3-secret-key", HttpStatusCode.Forbidden, "ERR_PERMISSION_DENIED",
        "access denied by policy to get \"s3-secret-key\" from \"secretstore\"")]
    public async Task Refusals_carry_daprd_s_status_error_code_and_message(string path, HttpStatusCode expected, string code, string message)
    {
        var resources = Load(DenyInfra);
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { Secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes) });
        var (status, body) = await GetAsync(sidecar, path);
        Assert.Equal(expected, status);
        Assert.Equal(code, body.GetProperty("errorCode").GetString());
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Scopes_filter_the_bulk_read_and_allowedSecrets_allow_only_what_they_list()
    {
        var resources = Load(DenyInfra);
        await using (var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { Secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes) }))
        {
            var (_, bulk) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/bulk");
            Assert.Equal(["cam1", "redis-password"], bulk.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
        var only = Load(DenyInfra.Replace("defaultAccess: allow", "defaultAccess: deny", StringComparison.Ordinal)
            .Replace("deniedSecrets: [\"s3-secret-key\"]", "allowedSecrets: [\"cam1\"]", StringComparison.Ordinal));
        await using (var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { Secrets = new SidecarSecrets(only.SecretStores, only.SecretScopes) }))
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(sidecar, "/v1.0/secrets/secretstore/cam1")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(sidecar, "/v1.0/secrets/secretstore/redis-password")).Status);
        }
    }

    [Fact]
    public async Task Without_any_secret_store_the_api_says_not_configured_and_a_token_is_enforced()
    {
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { DaprApiToken = "t0ken" });
        var (status, body) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/cam1", token: "t0ken");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("ERR_SECRET_STORES_NOT_CONFIGURED", body.GetProperty("errorCode").GetString());
        Assert.Equal("secret store is not configured", body.GetProperty("message").GetString());
        (status, body) = await GetAsync(sidecar, "/v1.0/secrets/secretstore/cam1");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid api token\n", body.GetString());
    }

    [Fact]
    public async Task The_adapter_reads_over_gRPC_and_tells_a_refusal_from_an_unreachable_sidecar()
    {
        var resources = Load(DenyInfra);
        await using var sidecar = await DaprSidecarStandIn.StartAsync(new SidecarOptions { Secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes) });
        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).Build();
        var store = new DaprSecretStore(client, new DaprOptions());

        Assert.Equal("viewer", (await store.GetAsync("cam1"))["username"]);
        var missing = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync("nope"));
        Assert.False(missing.Transient);
        Assert.Equal("failed getting secret with key nope from secret store secretstore: secret nope not found", missing.Message);
        var denied = await Assert.ThrowsAsync<SecretStoreException>(() => store.GetAsync("s3-secret-key"));
        Assert.False(denied.Transient);
        Assert.Contains("access denied by policy", denied.Message, StringComparison.Ordinal);
        var other = new DaprSecretStore(client, new DaprOptions { SecretStoreName = "vault" });
        Assert.Contains("failed finding secret store with key vault", (await Assert.ThrowsAsync<SecretStoreException>(() => other.GetAsync("cam1"))).Message, StringComparison.Ordinal);

        using var nowhere = new DaprClientBuilder().UseGrpcEndpoint("http://127.0.0.1:9").UseHttpEndpoint("http://127.0.0.1:9").Build();
        var down = await Assert.ThrowsAsync<SecretStoreException>(() => new DaprSecretStore(nowhere, new DaprOptions()).GetAsync("cam1"));
        Assert.True(down.Transient);
    }

    [Fact]
    public void The_committed_components_let_Ingest_read_a_camera_secret_but_not_the_components_own()
    {
        using var layout = new RepoLayoutCopy();
        var ingest = DaprRunFile.Load(layout.RunFile).App("ingest");
        var resources = SidecarResources.Load(ingest);
        var secrets = new SidecarSecrets(resources.SecretStores, resources.SecretScopes);

        var camera = secrets.Get("secretstore", "camera-lobby");
        Assert.Equal(["password", "username"], camera.Keys.Order(StringComparer.Ordinal));
        foreach (var infra in new[] { "s3-access-key", "s3-secret-key", "redis-password" })
            Assert.Equal(HttpStatusCode.Forbidden, Assert.Throws<SecretApiException>(() => secrets.Get("secretstore", infra)).HttpStatus);
        // The components still get theirs: secretKeyRefs do not go through the API's scopes.
        Assert.Equal("test-s3-secret-key", resources.Find("objectstore")!.Metadata["secretKey"]);
    }
}

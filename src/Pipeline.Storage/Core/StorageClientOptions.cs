using Azure.Core;
using Azure.Core.Pipeline;

namespace Pipeline.Storage.Core;

/// <summary>Builds the HTTP pipelines of the storage clients from options and a credential.</summary>
internal static class StoragePipeline
{
    /// <summary>The scope of Azure Storage data-plane tokens.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(ClientOptions options, HttpPipelinePolicy authentication) =>
        HttpPipelineBuilder.Build(options, [], [authentication, StorageMetrics.Policy], new ResponseClassifier());

    public static HttpPipelinePolicy Bearer(TokenCredential credential) =>
        new BearerTokenAuthenticationPolicy(credential, StorageScope);
}

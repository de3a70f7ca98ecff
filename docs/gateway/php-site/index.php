<?php
// An existing council site, unchanged except that it reads who is signed in from the gateway's headers.
// Run it with PHP's built-in server (Debian package php-cli):
//
//   php -S 127.0.0.1:9000 docs/gateway/php-site/index.php
//
// and put it behind the gateway (docs/gateway.md). It must only be reachable through the gateway: the
// X-Gaap-* headers are trustworthy only because the gateway removes any a browser sends and adds its own.

declare(strict_types=1);

function h(?string $s): string
{
    return htmlspecialchars($s ?? '', ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

// The trusted headers, as PHP exposes them: X-Gaap-Sub arrives as $_SERVER['HTTP_X_GAAP_SUB'].
$received = [];
foreach ($_SERVER as $name => $value) {
    if (str_starts_with($name, 'HTTP_X_GAAP_') || str_starts_with($name, 'HTTP_X_FORWARDED_')) {
        $received[strtolower(str_replace('_', '-', substr($name, 5)))] = $value;
    }
}
ksort($received);

$sub = $_SERVER['HTTP_X_GAAP_SUB'] ?? null;
$email = isset($_SERVER['HTTP_X_GAAP_EMAIL']) ? rawurldecode($_SERVER['HTTP_X_GAAP_EMAIL']) : null;
$csrf = $_SERVER['HTTP_X_GAAP_CSRF_TOKEN'] ?? null;

// X-Gaap-Identity: base64url (no padding) of JSON, on routes configured with "identity": true.
$identity = null;
if (isset($_SERVER['HTTP_X_GAAP_IDENTITY'])) {
    $json = base64_decode(strtr($_SERVER['HTTP_X_GAAP_IDENTITY'], '-_', '+/'), true);
    $identity = $json === false ? null : json_decode($json, true);
}
$fullName = null;
$birthDate = null;
if (is_array($identity)) {
    foreach ($identity['name'] ?? [] as $name) {
        if (!isset($name['validUntil'])) {
            $fullName = implode(' ', array_map(fn ($p) => $p['value'], $name['nameParts'] ?? []));
            break;
        }
    }
    $birthDate = $identity['birthDate'][0]['value'] ?? null;
}

if (($_GET['format'] ?? '') === 'json') {
    header('Content-Type: application/json');
    echo json_encode(['path' => $_SERVER['REQUEST_URI'], 'headers' => $received, 'identity' => $identity]);
    return;
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$title = str_starts_with($path, '/apply') ? 'Apply for a blue badge' : 'Your council account';
header('Content-Type: text/html; charset=utf-8');
?>
<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title><?= h($title) ?> - Example Council</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body class="govuk-template__body">
  <a href="#main-content" class="govuk-skip-link">Skip to main content</a>
  <header class="govuk-header"><div class="govuk-header__container govuk-width-container">
    <a href="/" class="govuk-header__link govuk-header__link--homepage">Example Council</a>
  </div></header>
  <div class="govuk-width-container">
    <main class="govuk-main-wrapper" id="main-content">
      <h1 class="govuk-heading-l"><?= h($title) ?></h1>
<?php if ($sub === null): ?>
      <p class="govuk-body">You are not signed in.
        <a class="govuk-link" href="/_gaap/sign-in?return_to=<?= h(rawurlencode($_SERVER['REQUEST_URI'])) ?>">Sign in with GOV.UK One Login</a></p>
<?php else: ?>
      <p class="govuk-body">You are signed in as <strong id="email"><?= h($email) ?></strong>.</p>
<?php if ($fullName !== null): ?>
      <p class="govuk-body">GOV.UK One Login confirmed your identity: <strong id="name"><?= h($fullName) ?></strong>,
        born <strong id="birth-date"><?= h($birthDate) ?></strong>.</p>
<?php endif ?>
      <form method="post" action="/_gaap/sign-out">
        <input type="hidden" name="csrf" value="<?= h($csrf) ?>">
        <button type="submit" class="govuk-button">Sign out</button>
      </form>
<?php endif ?>
      <h2 class="govuk-heading-m">Headers from the gateway</h2>
      <dl class="govuk-summary-list">
<?php foreach ($received as $name => $value): ?>
        <div class="govuk-summary-list__row">
          <dt class="govuk-summary-list__key"><?= h($name) ?></dt>
          <dd class="govuk-summary-list__value" id="<?= h($name) ?>"><?= h($value) ?></dd>
        </div>
<?php endforeach ?>
      </dl>
    </main>
  </div>
</body>
</html>

<?php
// Makes password hashes the way WordPress stores them, in PHP, for planswitch's tests.
// Written from WordPress' documented algorithms (not copied): wp_hash_password() and
// wp_fast_hash() of 6.8 (wp-includes/pluggable.php, functions.php) and the portable hash
// of phpass 0.3 (wp-includes/class-phpass.php, PasswordHash(8, true)).
//
// Input (stdin): JSON list of {"kind": ..., "password": ...}; output: JSON list of hashes.
// Kinds: wp68 ($wp$2y$ bcrypt over the HMAC-SHA384 pre-hash), phpass ($P$), md5 (legacy),
// bcrypt (plain password_hash), fast (Application Password, $generic$ BLAKE2b).

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function encode64(string $input, int $count): string {
    // phpass' base64 variant: 6 bits at a time, least significant first.
    $output = '';
    $i = 0;
    while ($i < $count) {
        $value = ord($input[$i++]);
        $output .= ITOA64[$value & 0x3f];
        if ($i < $count) {
            $value |= ord($input[$i]) << 8;
        }
        $output .= ITOA64[($value >> 6) & 0x3f];
        if ($i++ >= $count) {
            break;
        }
        if ($i < $count) {
            $value |= ord($input[$i]) << 16;
        }
        $output .= ITOA64[($value >> 12) & 0x3f];
        if ($i++ >= $count) {
            break;
        }
        $output .= ITOA64[($value >> 18) & 0x3f];
    }
    return $output;
}

function phpass_portable(string $password, int $log2 = 13): string {
    // PasswordHash(8, true) adds 5 to its iteration setting: 2^13 rounds, the "B" of "$P$B".
    // $P$ + one character for log2(iterations) + 8 salt characters + 22 hash characters.
    $salt = encode64(random_bytes(6), 6);
    $setting = '$P$' . ITOA64[$log2] . $salt;
    $hash = md5($salt . $password, true);
    for ($n = 1 << $log2; $n > 0; $n--) {
        $hash = md5($hash . $password, true);
    }
    return $setting . encode64($hash, 16);
}

function wp68(string $password): string {
    $prehash = base64_encode(hash_hmac('sha384', trim($password), 'wp-sha384', true));
    return '$wp' . password_hash($prehash, PASSWORD_BCRYPT, ['cost' => 5]);
}

function fast(string $message): string {
    $digest = sodium_crypto_generichash($message, 'wp_fast_hash_6.8+', 30);
    return '$generic$' . sodium_bin2base64($digest, SODIUM_BASE64_VARIANT_URLSAFE_NO_PADDING);
}

$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $item) {
    $password = $item['password'];
    switch ($item['kind']) {
        case 'wp68': $out[] = wp68($password); break;
        case 'phpass': $out[] = phpass_portable($password); break;
        case 'md5': $out[] = md5($password); break;
        case 'bcrypt': $out[] = password_hash($password, PASSWORD_BCRYPT, ['cost' => 5]); break;
        case 'fast': $out[] = fast($password); break;
        default: fwrite(STDERR, "unknown kind\n"); exit(2);
    }
}
echo json_encode($out);
